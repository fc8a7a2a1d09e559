// The official TypeScript MCP SDK client against image-mcp: prompts/list, prompts/get of
// every listed prompt (with PROMPT_ARGS), each without its arguments, and the prompts in
// TRY_HIDDEN; prints one JSON object for e2e/tssdk_test.go.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = JSON.parse(process.env.SERVER_CMD);
const transport = new StdioClientTransport({ command, args, env: JSON.parse(process.env.SERVER_ENV), stderr: "ignore" });
const client = new Client({ name: "ts-sdk-e2e", version: "1.0.0" });
await client.connect(transport);

const promptArgs = JSON.parse(process.env.PROMPT_ARGS);
const out = { capabilities: client.getServerCapabilities(), prompts: [], gets: {}, missing: {}, hidden: {} };
const list = await client.listPrompts();
out.prompts = list.prompts;
const errorOf = async (params) => {
  try {
    await client.getPrompt(params);
    return "";
  } catch (e) {
    return String(e.message);
  }
};
for (const p of list.prompts) {
  out.gets[p.name] = await client.getPrompt({ name: p.name, arguments: promptArgs[p.name] || {} });
  if ((p.arguments || []).some((a) => a.required)) {
    out.missing[p.name] = await errorOf({ name: p.name, arguments: {} });
  }
}
for (const name of JSON.parse(process.env.TRY_HIDDEN || "null") || []) {
  out.hidden[name] = await errorOf({ name, arguments: promptArgs[name] || {} });
}
await client.close();
console.log(JSON.stringify(out));
