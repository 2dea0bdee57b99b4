import { strict as assert } from "node:assert";
import { safeDbMessage } from "../../../provider/sources/db-message";

describe("safeDbMessage", () => {
  it("replaces quoted row values but keeps what the query itself wrote", () => {
    const query = "SELECT CAST(name AS INTEGER) FROM 'people.csv'";
    assert.equal(
      safeDbMessage(`Conversion Error: Could not convert string 'ann-1234' to INT32 reading 'people.csv'`, query),
      `Conversion Error: Could not convert string '…' to INT32 reading 'people.csv'`,
    );
    assert.equal(safeDbMessage('invalid input syntax for type integer: "ck17"', "SELECT cookie::int FROM t"), 'invalid input syntax for type integer: "…"');
    assert.equal(safeDbMessage('relation "nope" does not exist', "SELECT x FROM nope"), 'relation "nope" does not exist');
  });

  it("hides secrets and makes one line without the query excerpt", () => {
    const message = "Catalog Error: no table for postgres://u:hunter2@h/db\n\nLINE 1: SELECT x FROM t\n                      ^";
    assert.equal(safeDbMessage(message, "SELECT x FROM t", ["postgres://u:hunter2@h/db", "hunter2"]), "Catalog Error: no table for ***");
  });
});
