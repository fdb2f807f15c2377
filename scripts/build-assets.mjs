// Copy the browser builds of our npm dependencies into static/vendor/, which
// Django serves (whitenoise). Run by `make assets`; the output is not committed.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendorFiles = [
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["hls.js/dist/hls.min.js", "hls/hls.min.js"],
  // hls.min.js names its source map; the manifest storage of collectstatic needs it there.
  ["hls.js/dist/hls.min.js.map", "hls/hls.min.js.map"],
];

for (const [source, target] of vendorFiles) {
  const destination = join(root, "static", "vendor", target);
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(join(root, "node_modules", source), destination);
  console.log(`static/vendor/${target}`);
}
