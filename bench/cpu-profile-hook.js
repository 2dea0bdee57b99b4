// Preloaded with `--require` through NODE_OPTIONS into the Node.js processes the Pulumi CLI starts
// (the program and the dynamic providers); it was written when Node 20 refused `--cpu-prof` there.
// Writes a V8 CPU profile (.cpuprofile, open in Chrome DevTools or speedscope) and the process's
// CPU seconds and peak RSS (.cpu.json) per process into $BENCH_CPU_PROFILE_DIR when it exits or is asked to
// stop. Plain JavaScript so that it loads before any TypeScript hook. Used by bench/bench-stack.ts;
// never loaded otherwise.
"use strict";
const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const fs = require("node:fs");
  const path = require("node:path");
  const inspector = require("node:inspector");
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  // 1 ms (the default) is enough to see what dominates and costs little.
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The in-process session answers synchronously, so this works inside an "exit" handler.
    session.post("Profiler.stop", (error, result) => {
      if (error || !result) return;
      const role = process.argv.slice(1).map((a) => path.basename(a)).join(" ").replace(/[^\w.-]+/g, "_").slice(0, 80);
      const base = path.join(dir, `${Date.now()}-${process.pid}-${role}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(`${base}.cpuprofile`, JSON.stringify(result.profile));
      // The process's own CPU time: unlike the profile's sample times, it does not grow while the
      // process waits for a core on a busy host.
      const cpu = process.cpuUsage();
      const maxRssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
      fs.writeFileSync(`${base}.cpu.json`, JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb, uptimeSeconds: process.uptime(), argv: process.argv }));
    });
  };
  process.on("exit", write);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      write();
      process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    });
  }
}
