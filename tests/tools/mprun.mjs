// Run a Python test file under the real MicroPython interpreter (WebAssembly port) in Node.
// usage: node tests/tools/mprun.mjs <dir-to-mount-at-/fw> <test.py> [<extra-dir>=<mount-point> ...]
// Exit status: 0 pass, 1 exception (traceback on stderr), N for SystemExit(N).
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "node:fs";
import path from "node:path";

const [dir, file, ...mounts] = process.argv.slice(2);
const mp = await loadMicroPython({
  heapsize: 16 << 20,
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});

function copyTree(src, dst) {
  try { mp.FS.mkdir(dst); } catch { /* exists */ }
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    if (entry.name === "__pycache__") continue;
    const s = path.join(src, entry.name);
    const d = `${dst}/${entry.name}`;
    if (entry.isDirectory()) copyTree(s, d);
    else mp.FS.writeFile(d, fs.readFileSync(s));
  }
}

copyTree(path.resolve(dir), "/fw");
for (const spec of mounts) {
  const [src, dst] = spec.split("=");
  copyTree(path.resolve(src), dst);
}
try {
  await mp.runPythonAsync(`import sys\nsys.path.insert(0, "/fw")\n` + fs.readFileSync(file, "utf8"));
} catch (e) {
  if (e.name !== "PythonError") throw e;
  const m = e.type === "SystemExit" ? /SystemExit:?\s*(\d+)?/.exec(e.message) : null;
  process.exitCode = m ? Number(m[1] ?? 0) : 1;
  if (!m) console.error(e.message.trim());
}
