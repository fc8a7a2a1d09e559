#!/usr/bin/env node
// The `image-mcp` command of the npm package: runs the prebuilt Go binary of this platform,
// which npm installed as the optional dependency @image-mcp/<platform>-<arch>. stdin, stdout
// and stderr are the binary's own (MCP flows over them), so this wrapper adds nothing to the
// protocol; it only forwards signals and the exit code.
"use strict";
const { spawn } = require("node:child_process");
const os = require("node:os");

const target = `${process.platform}-${process.arch}`;
const pkg = `@image-mcp/${target}`;
const exe = process.platform === "win32" ? "image-mcp.exe" : "image-mcp";

let bin;
try {
  bin = require.resolve(`${pkg}/bin/${exe}`);
} catch {
  console.error(
    `image-mcp: the binary for ${target} is missing: npm did not install ${pkg}.\n` +
      `Builds exist for linux, darwin and win32 on x64 and arm64. If yours is one of them, ` +
      `install again without --omit=optional / --no-optional. Otherwise build it: ` +
      `go install github.com/image-mcp/image-mcp@latest`
  );
  process.exit(1);
}

const child = spawn(bin, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
const forward = (sig) => child.kill(sig);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, forward);
child.on("error", (err) => {
  console.error(`image-mcp: cannot run ${bin}: ${err.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  process.exit(signal ? 128 + (os.constants.signals[signal] || 0) : code);
});
