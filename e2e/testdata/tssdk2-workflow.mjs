// The TypeScript SDK's v2 client (npm @modelcontextprotocol/client) against image-mcp, in
// the legacy mode (MODE=legacy, its default) or pinned to 2026-07-28 (MODE=pinned): tools,
// prompts, completion, a cut list read as a policy S client reads it (structuredContent's
// JSON when there is one, else the text items) and followed to its end, and a destructive
// call whose confirmation the person accepts. Prints one JSON object for e2e/tssdk_test.go.
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const mode = process.env.MODE;
const [command, ...args] = JSON.parse(process.env.SERVER_CMD);
const options = { capabilities: { elicitation: { form: {} } } };
if (mode === "pinned") {
  options.versionNegotiation = { mode: { pin: "2026-07-28" } };
}
const client = new Client({ name: "ts-sdk-v2-e2e", version: "1.0.0" }, options);
const asked = [];
client.setRequestHandler("elicitation/create", async (request) => {
  asked.push(request.params.message);
  return { action: "accept", content: {} };
});
await client.connect(new StdioClientTransport({ command, args, env: JSON.parse(process.env.SERVER_ENV), stderr: "ignore" }));

const out = {
  mode,
  protocolVersion: client.getNegotiatedProtocolVersion() ?? null,
  capabilities: client.getServerCapabilities() ?? null,
};
out.tools = (await client.listTools()).tools.map((t) => t.name);
out.prompts = (await client.listPrompts()).prompts.map((p) => p.name);
const prompt = await client.getPrompt({ name: "explain-image", arguments: { image: process.env.IMAGE } });
out.promptText = prompt.messages[0].content.text;
out.completion = (
  await client.complete({
    ref: { type: "ref/prompt", name: "explain-image" },
    argument: { name: "image", value: process.env.TYPED },
  })
).completion;

// What a policy S client hands the model, and what the model takes from it.
const policyS = (r) =>
  r.structuredContent !== undefined
    ? JSON.stringify(r.structuredContent)
    : r.content.filter((c) => c.type === "text").map((c) => c.text).join("\n\n");
const call = JSON.parse(process.env.LIST_ARGS);
out.listed = [];
out.calls = 0;
out.noticed = 0;
for (;;) {
  const seen = policyS(await client.callTool({ name: "list-images", arguments: call }));
  out.calls++;
  const answers = seen.split("\n\n").filter((b) => b.startsWith("{"));
  if (answers.length !== 1) {
    throw new Error(`call ${out.calls}: ${answers.length} JSON answers in ${seen.slice(0, 500)}`);
  }
  for (const item of JSON.parse(answers[0]).items) {
    out.listed.push(item.Id);
  }
  const next = seen.match(/continue with (\{[^\n]*\})/);
  if (!next || out.calls >= 50) {
    break;
  }
  out.noticed++;
  Object.assign(call, JSON.parse(next[1]));
}

const removed = await client.callTool({ name: "remove-image-local-storage", arguments: { name: process.env.REMOVE } });
out.remove = { isError: removed.isError ?? false, text: removed.content.map((c) => c.text).join("\n") };
out.asked = asked;
await client.close();
console.log(JSON.stringify(out));
