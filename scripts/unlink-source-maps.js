"use strict";
// Runs after `tsc` in `npm run build`: removes the `//# sourceMappingURL=` line from every compiled
// file under the given folder, keeping the .js.map files beside them. The Pulumi SDK formats a
// stack trace for every resource and promise through `source-map-support`, which maps each frame
// of a file that names its map; without the line our frames are left as they are, and
// DSP_AUDIENCES_DEBUG=1 maps them again (provider/util/own-source-maps.ts). Plain JavaScript, so
// that it runs before anything is compiled.
const fs = require("node:fs");
const path = require("node:path");

const MAP_LINE = /\n\/\/# sourceMappingURL=[^\n]*\.js\.map\s*$/;

function unlink(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) unlink(file);
    else if (entry.name.endsWith(".js")) {
      const text = fs.readFileSync(file, "utf8");
      const without = text.replace(MAP_LINE, "\n");
      if (without !== text) fs.writeFileSync(file, without);
    }
  }
}

unlink(path.resolve(process.argv[2] ?? "dist"));
