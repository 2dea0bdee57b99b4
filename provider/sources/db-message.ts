/**
 * A database's error message made safe to print: a quoted piece that is not in the query text is
 * most likely a row value ("could not convert 'abc' to INT32", `invalid input syntax: "abc"`),
 * so it is replaced; identifiers and literals the query itself wrote stay. Secrets (a password,
 * a connection string) are replaced wherever they appear. The message becomes one line: the
 * query excerpt with a caret that DuckDB and PostgreSQL append is left out. Pure.
 */
export function safeDbMessage(message: string, query: string, secrets: readonly string[] = []): string {
  let text = message
    .split("\n")
    .filter((line) => line.trim() !== "" && !/^LINE \d+:/.test(line) && !/^\s*\^\s*$/.test(line))
    .join(" ");
  for (const secret of secrets) if (secret !== "") text = text.split(secret).join("***");
  return text.replace(/(["'])([^"'\n]*)\1/g, (whole, quote: string, inner: string) => (inner === "" || query.includes(inner) ? whole : `${quote}…${quote}`));
}
