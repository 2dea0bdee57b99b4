/** Scenario 8 (issue 15): a Parquet column and a DuckDB query read into the desired set, next to an ID file of the same IDs, same run. */
import { formatNumber, formatRatio, formatSeconds, row } from "./report";
import type { Scenario } from "./scenario";
import { runWarehouseSourcesBench, type SourceReadFigures } from "./warehouse-sources";
import { exclusionListRows, runExclusionListBench } from "./exclusion-list";

export const warehouseSourcesScenario: Scenario = {
  id: 8,
  title: "warehouse sources",
  async run({ sizes, log }) {
    const f = await runWarehouseSourcesBench({ count: sizes.planningIds, log });
    const figures = (name: string, r: SourceReadFigures) => [
      row(8, `${name}: ${r.size.toLocaleString("en-US")} IDs into the desired set`, r.wallMs / 1000, "s", {
        display: `${formatSeconds(r.wallMs / 1000)} (CPU ${formatSeconds(r.cpuMs / 1000)})`,
        goal: { text: "≤ 5 s", met: r.wallMs <= 5000 },
        comparison: { text: `${formatRatio(r.wallMs / f.idFile.wallMs)} the ID file (${formatSeconds(f.idFile.wallMs / 1000)})`, ratio: r.wallMs / f.idFile.wallMs },
      }),
      row(8, `${name}: peak RSS${r.childPeakRssMb > 0 ? ", with the DuckDB process's" : ""}`, r.peakRssMb, "MB", {
        ...(r.childPeakRssMb > 0 ? { display: `${formatNumber(r.peakRssMb)} MB (${formatNumber(r.peakRssMb - r.childPeakRssMb)} + DuckDB ${formatNumber(r.childPeakRssMb)})` } : {}),
        goal: { text: "≤ 1,000 MB", met: r.peakRssMb <= 1000 },
        comparison: { text: `ID file ${formatNumber(f.idFile.peakRssMb)} MB`, ratio: r.peakRssMb / f.idFile.peakRssMb },
      }),
    ];
    // Issue 25: an exclusion list as long as the members, read within the budget, in a child of its own.
    const exclusion = await runExclusionListBench({ count: sizes.planningIds, log });
    return {
      figures: { ...f, exclusion },
      rows: [...figures("ID file", f.idFile), ...figures("Parquet column", f.parquet), ...figures("DuckDB SQL query", f.sql), ...exclusionListRows(exclusion)],
    };
  },
};
