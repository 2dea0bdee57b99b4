import { strict as assert } from "assert";
import { READ_CHUNK_BYTES, readBufferBytes } from "../../../provider/util/read-buffer";

describe("readBufferBytes", () => {
  it("reads a small file in one buffer of its own size and the end of file", () => {
    assert.equal(readBufferBytes(0), 1);
    assert.equal(readBufferBytes(900), 901);
  });

  it("reads a large file a chunk at a time", () => {
    assert.equal(readBufferBytes(READ_CHUNK_BYTES), READ_CHUNK_BYTES);
    assert.equal(readBufferBytes(5e9), READ_CHUNK_BYTES);
  });
});
