import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { quarantineName, type BlobBody, type BlobStore } from "./blob-store";
import { nodeErrorCode } from "./snapshot-errors";
import { readBufferBytes } from "../util/read-buffer";

/**
 * Blobs as files in a directory (a blob `ab/x.ids.zst` is `<dir>/ab/x.ids.zst`). Writes go to a
 * temporary file that is flushed, renamed into place and made durable, so a reader sees a whole
 * file or none.
 */
export class FileBlobStore implements BlobStore {
  readonly location: string;

  constructor(directory: string) {
    this.location = resolve(directory);
  }

  locate(name: string): string {
    return join(this.location, ...name.split("/"));
  }

  async get<T extends object | string>(name: string, consume: (body: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T | undefined> {
    let file;
    try {
      file = await open(this.locate(name), "r");
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
    try {
      const { size } = await file.stat();
      return await consume(file.createReadStream({ autoClose: false, highWaterMark: readBufferBytes(size) }));
    } finally {
      await file.close();
    }
  }

  async put(name: string, body: BlobBody): Promise<void> {
    const path = this.locate(name);
    await mkdir(dirname(path), { recursive: true });
    // Unique per writer, so concurrent puts of one blob never share a file.
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      if (body instanceof Uint8Array) await writeFile(temporary, body, { flag: "wx", flush: true });
      else await pipeline(body.stream(), createWriteStream(temporary, { flags: "wx", flush: true }));
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {
        // Best effort: the write error is what matters.
      });
      throw error;
    }
    await syncDirectory(dirname(path));
  }

  async list(prefix: string): Promise<string[]> {
    // Only the prefix's own folder is read (and the folders in it that the prefix takes in).
    const slash = prefix.lastIndexOf("/");
    return this.listFolder(prefix.slice(0, slash + 1), prefix.slice(slash + 1));
  }

  private async listFolder(folder: string, start: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.locate(folder), { withFileTypes: true });
    } catch (error) {
      if (isMissingFile(error)) return [];
      throw error;
    }
    const names: string[] = [];
    for (const entry of entries) {
      if (!entry.name.startsWith(start)) continue;
      if (entry.isFile()) names.push(`${folder}${entry.name}`);
      else if (entry.isDirectory()) names.push(...(await this.listFolder(`${folder}${entry.name}/`, "")));
    }
    return names;
  }

  async delete(name: string): Promise<void> {
    const file = this.locate(name);
    try {
      await unlink(file);
    } catch (error) {
      if (isMissingFile(error)) return;
      throw error;
    }
    await syncDirectory(dirname(file));
  }

  async quarantine(name: string): Promise<string | undefined> {
    const aside = this.locate(quarantineName(name));
    return rename(this.locate(name), aside).then(
      () => aside,
      () => undefined,
    );
  }
}

/**
 * Makes the rename durable: without it a power loss could undo it. Some
 * platforms (Windows) cannot open or sync a directory; there the rename
 * stays atomic, only not durable, and a lost snapshot is reported as missing.
 */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, "r");
    await handle.sync();
  } catch (error) {
    if (!["EISDIR", "EPERM", "EINVAL", "EACCES"].includes(nodeErrorCode(error) ?? "")) throw error;
  } finally {
    await handle?.close();
  }
}

function isMissingFile(error: unknown): boolean {
  return nodeErrorCode(error) === "ENOENT";
}
