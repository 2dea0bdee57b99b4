/**
 * A records CSV of synthetic people, and the HashedRecordUpload inputs the program builds from it:
 * read the CSV, store the desired set of keys, name it by digest. For provider-level tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordsUploadInputs } from "../../provider/customer-records/hashed-records-provider";
import type { SnapshotStore } from "../../provider/snapshots";
import { readRecordSets, type RecordsSourceSettings } from "../../provider/customer-records/records-source";
import { TEST_KEY } from "./csv-helpers";
import { personCsvLine, TEMPLATE_HEADER, type SyntheticPerson } from "./synthetic-people";

/** The stack config key the fixture's settings read the externalId key from. */
export const RECORDS_KEY_CONFIG = "dsp-audiences:externalIdKey";

export class RecordsCsvFixture {
  readonly csv: string;
  readonly settings: RecordsSourceSettings;

  /** @param store the snapshot store the desired sets go to (the providers' context's) */
  constructor(dir: string, private readonly store: () => SnapshotStore) {
    this.csv = path.join(dir, "people.csv");
    this.settings = { csv: this.csv, externalIdSecretConfig: RECORDS_KEY_CONFIG, minRows: 1 };
  }

  /** Writes `people` as the CSV (Amazon's template header). */
  write(people: readonly SyntheticPerson[]): void {
    fs.writeFileSync(this.csv, `${TEMPLATE_HEADER}\n${people.map(personCsvLine).join("\n")}\n`);
  }

  /** Writes `people`, then builds the inputs as the program would; `externalIds` sorted, for assertions. */
  async inputsFor(people: readonly SyntheticPerson[]): Promise<{ inputs: RecordsUploadInputs; externalIds: string[] }> {
    this.write(people);
    const sets = await readRecordSets(this.settings, "people", { externalIdKey: TEST_KEY, workers: 0 });
    const desiredDigest = await this.store().put(sets.keys);
    return {
      inputs: { ...this.settings, label: "people", audiences: [], desiredDigest, desiredCount: sets.keys.size },
      externalIds: sets.externalIds.toArray().sort(),
    };
  }
}
