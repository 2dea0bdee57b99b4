/**
 * Reads the simulator's admin API (`/__sim/*`, plain JSON with ids as strings)
 * to check what actually arrived, independently of the client under test.
 */
import type { MemberLists, RequestLogEntry } from "../../simulator";
// The simulator's own admin types: the JSON shapes of /__sim/requests and /__sim/audiences/{id}/members.
export type SimRequestLogEntry = RequestLogEntry;
export type SimMembers = MemberLists;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Every request after `since`, the admin API's own included. */
export async function fullLog(simUrl: string, since = 0): Promise<SimRequestLogEntry[]> {
  return (await getJson<{ requests: SimRequestLogEntry[] }>(`${simUrl}/__sim/requests?since=${since}`)).requests;
}

/** API and token requests after `since` (the admin calls of the tests themselves left out). */
export async function requestLog(simUrl: string, since = 0): Promise<SimRequestLogEntry[]> {
  return (await fullLog(simUrl, since)).filter((entry) => !entry.path.startsWith("/__sim"));
}

export async function lastSeq(simUrl: string): Promise<number> {
  return (await fullLog(simUrl, 0)).at(-1)?.seq ?? 0;
}

export async function members(simUrl: string, audienceId: string): Promise<SimMembers> {
  return getJson<SimMembers>(`${simUrl}/__sim/audiences/${audienceId}/members`);
}

export async function audiences(simUrl: string): Promise<Array<{ id: string; externalAudienceId?: string } & Record<string, unknown>>> {
  return (await getJson<{ audiences: Array<{ id: string; externalAudienceId?: string } & Record<string, unknown>> }>(`${simUrl}/__sim/audiences`)).audiences;
}

export async function records(simUrl: string): Promise<Record<string, { sets: number }>> {
  return getJson<Record<string, { sets: number }>>(`${simUrl}/__sim/records`);
}

export async function deletions(simUrl: string): Promise<unknown[]> {
  return (await getJson<{ deletions: unknown[] }>(`${simUrl}/__sim/deletions`)).deletions;
}

/** Largest number of entries (sorted by `t`) whose `t` falls in any window of `windowMs`. */
export function maxInWindow(entries: ReadonlyArray<Pick<SimRequestLogEntry, "t">>, windowMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < entries.length; end++) {
    while ((entries[end]?.t ?? 0) - (entries[start]?.t ?? 0) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
