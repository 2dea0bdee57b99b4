import { strict as assert } from "node:assert";
import { isUnderPrefix, objectRefusal, parseObjectUrl } from "../../../provider/spec";

describe("object roots (s3:// entries of settings.allowedRoots)", () => {
  const cases: Array<{ url: string; roots: string[]; refusal: RegExp | undefined }> = [
    { url: "s3://exports/audiences/a.csv", roots: ["s3://exports/audiences"], refusal: undefined },
    { url: "s3://exports/audiences/a.csv", roots: ["s3://exports/audiences/"], refusal: undefined },
    { url: "s3://exports/audiences/deep/a.parquet", roots: ["s3://exports"], refusal: undefined },
    { url: "s3://exports/audiences-old/a.csv", roots: ["s3://exports/audiences"], refusal: /outside the s3:\/\/ entries of settings\.allowedRoots \(s3:\/\/exports\/audiences\)/ },
    { url: "s3://other/audiences/a.csv", roots: ["s3://exports/audiences"], refusal: /outside/ },
    { url: "s3://exports/audiences/a.csv", roots: [], refusal: /outside the s3:\/\/ entries of settings\.allowedRoots \(none\)/ },
    // The URL parser resolves dot segments (as the reader's does), so these name the key that would be read.
    { url: "s3://exports/audiences/../secrets/a.csv", roots: ["s3://exports/audiences"], refusal: /outside the s3:\/\/ entries/ },
    { url: "s3://exports/audiences/%2E%2E/secrets/a.csv", roots: ["s3://exports/audiences"], refusal: /outside the s3:\/\/ entries/ },
    { url: "s3://exports/audiences/x%2F..%2F..%2Fsecrets/a.csv", roots: ["s3://exports/audiences"], refusal: /has an empty, \. or \.\. segment in its key/ },
    { url: "s3://exports/audiences//a.csv", roots: ["s3://exports/audiences"], refusal: /empty/ },
    { url: "s3://exports/audiences/a.csv?endpoint=http://127.0.0.1:9000&s3ForcePathStyle=true", roots: ["s3://exports/audiences?s3ForcePathStyle=true&endpoint=http://127.0.0.1:9000"], refusal: undefined },
    { url: "s3://exports/audiences/a.csv?endpoint=http://attacker.example", roots: ["s3://exports/audiences"], refusal: /reached with other URL options \(endpoint=http:\/\/attacker\.example\)/ },
    { url: "s3://exports/audiences/a.csv", roots: ["s3://exports/audiences?region=eu-west-1"], refusal: /other URL options \(none\)/ },
    { url: "s3:///a.csv", roots: ["s3://exports"], refusal: /must be s3:\/\/<bucket>\/<key>/ },
  ];
  for (const { url, roots, refusal } of cases) {
    it(`${refusal === undefined ? "allows" : "refuses"} ${url} with roots [${roots.join(", ")}]`, () => {
      const got = objectRefusal(url, roots);
      if (refusal === undefined) assert.equal(got, undefined);
      else assert.match(got ?? "(allowed)", refusal);
    });
  }

  it("compares prefixes by whole key segments within one bucket", () => {
    const object = parseObjectUrl("s3://b/snapshots/x");
    assert.ok(typeof object !== "string");
    assert.ok(isUnderPrefix(object, { bucket: "b", key: "snapshots" }));
    assert.ok(isUnderPrefix(object, { bucket: "b", key: "" }));
    assert.ok(!isUnderPrefix(object, { bucket: "b", key: "snap" }));
    assert.ok(!isUnderPrefix(object, { bucket: "c", key: "snapshots" }));
  });
});
