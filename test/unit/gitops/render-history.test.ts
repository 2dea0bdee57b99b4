import { strict as assert } from "node:assert";
import { HISTORY_FORMAT, type HistoryReport, type SyncReport } from "../../../provider/gitops/history-report";
import { renderHistoryMarkdown, utcTime } from "../../../provider/gitops/render-history";

const sync = (over: Partial<SyncReport>): SyncReport => ({ at: "2025-01-02T09:00:00.000Z", adds: 0, removes: 0, requests: 0, requestIds: [], requestIdsComplete: true, inDoubt: 0, failed: false, ...over });

const REPORT: HistoryReport = {
  format: HISTORY_FORMAT,
  stack: "prod",
  store: "s3://bucket/.dsp-audiences/snapshots",
  memberships: [
    {
      key: "loyal",
      idType: "COOKIE",
      audienceId: "72057594038053891",
      unanswered: false,
      syncCount: 3,
      syncs: [
        sync({ at: "2025-01-03T09:00:05.123Z", adds: 10, removes: 2, resent: { adds: 10, removes: 2 }, requests: 5, requestIds: ["r1", "r2", "r3", "r4", "r5"] }),
        sync({ inDoubt: 12, failed: true }),
      ],
    },
    { key: "lapsed|<b>", idType: "MAID", audienceId: "72057594038053892", retiredAt: "2025-01-04T00:00:00.000Z", unanswered: true, syncCount: 0, syncs: [] },
  ],
};

describe("history Markdown", () => {
  it("one table per membership, newest first: accepted, re-sent, requests, a few request ids, notes", () => {
    assert.equal(
      renderHistoryMarkdown(REPORT),
      [
        "### dsp-audiences history · `prod`",
        "",
        "Sync records in `s3://bucket/.dsp-audiences/snapshots`: 2 memberships.",
        "",
        "#### `loyal` COOKIE · audience `72057594038053891`",
        "",
        "_the newest 2 of 3 syncs_",
        "",
        "| Time (UTC) | Accepted | Re-sent | Requests | Request ids | Notes |",
        "|:--|--:|--:|--:|:--|:--|",
        "| 2025-01-03 09:00:05 | +10 −2 | +10 −2 | 5 | `r1`, `r2`, `r3` +2 more |  |",
        "| 2025-01-02 09:00:00 | +0 −0 |  | 0 |  | stopped part-way; 12 in doubt |",
        "",
        "#### `lapsed\\|&lt;b&gt;` MAID · audience `72057594038053892`",
        "",
        "_deleted 2025-01-04 00:00:00 (its record is kept for the history retention); a sync has started whose answers are not recorded yet (an up running or interrupted): the next up sends what is in doubt again_",
        "",
        "No sync in the history retention.",
        "",
      ].join("\n"),
    );
  });

  it("for an ID: each change with its sync's request ids, where it is a member now, and never the ID", () => {
    const report: HistoryReport = {
      ...REPORT,
      id: {
        notValidFor: ["MAID"],
        memberships: [
          {
            key: "loyal",
            idType: "COOKIE",
            audienceId: "72057594038053891",
            memberNow: true,
            changes: [
              { change: "present", at: "2025-01-01T09:00:00.000Z", requestIds: ["r0"], requestIdsComplete: true, requests: 1, failed: false },
              { change: "removed", at: "2025-01-02T09:00:00.000Z", requestIds: ["r7"], requestIdsComplete: false, requests: 30, failed: true },
            ],
          },
          { key: "vip", idType: "COOKIE", audienceId: "72057594038053893", memberNow: false, changes: [] },
        ],
      },
    };
    const text = renderHistoryMarkdown(report);
    assert.equal(
      text.slice(text.indexOf("### The ID")),
      [
        "### The ID given (not shown)",
        "",
        "_Not a valid MAID: memberships of that type were not searched._",
        "",
        "| Membership | Change | Time (UTC) | Request ids of that sync |",
        "|:--|:--|:--|:--|",
        "| `loyal` COOKIE | in the audience (added in this sync or before it: the oldest kept) | 2025-01-01 09:00:00 | `r0` |",
        "| `loyal` COOKIE | removed (the sync stopped part-way; this is what its answers proved) | 2025-01-02 09:00:00 | `r7` +29 more |",
        "",
        "A member after the latest sync of: `loyal` COOKIE.",
        "",
        "Never a member within the history retention: `vip` COOKIE.",
        "",
      ].join("\n"),
    );
    assert.ok(!text.includes("#### "), "the ID's answer, not every sync table");
  });

  it("times in UTC to the second; anything else escaped as it is", () => {
    assert.equal(utcTime("2025-12-31T23:59:59.999Z"), "2025-12-31 23:59:59");
    assert.equal(utcTime("yesterday|<x>"), "yesterday\\|&lt;x&gt;");
  });
});
