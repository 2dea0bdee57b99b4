/**
 * Points the in-process providers at a simulator: its endpoint and credentials, snapshots in
 * `snapshotDir`, plus any other `dsp:`-style keys a test needs. Undo with {@link clearSimulatorConfig}.
 */
import { SIMULATOR_CREDENTIALS, type RunningSimulator } from "../../simulator";
import { setProviderConfig } from "../../provider/provider-process/provider-context";

export function useSimulatorConfig(sim: RunningSimulator, snapshotDir: string, extra: Record<string, string> = {}): void {
  const config: Record<string, string> = {
    "dsp:endpoint": sim.url,
    "dsp:clientId": SIMULATOR_CREDENTIALS.clientId,
    "dsp:clientSecret": SIMULATOR_CREDENTIALS.clientSecret,
    "dsp:refreshToken": SIMULATOR_CREDENTIALS.refreshToken,
    "dsp:snapshotDir": snapshotDir,
    ...extra,
  };
  setProviderConfig((key) => config[key]);
}

export function clearSimulatorConfig(): void {
  setProviderConfig(() => undefined);
}
