/**
 * What a spec's SQL may do, in words: the messages of the DuckDB process's refusals, and the
 * SQL text helpers both sides of it use. Pure.
 */

/** The statement's first keyword (COPY, ATTACH, INSTALL, …), to name it in a message; whether it is refused is DuckDB's parser's call. */
export function leadingKeyword(query: string): string {
  let rest = query;
  for (;;) {
    const trimmed = rest.replace(/^[\s(]+/, "");
    if (trimmed.startsWith("--")) rest = trimmed.slice(trimmed.indexOf("\n") === -1 ? trimmed.length : trimmed.indexOf("\n"));
    else if (trimmed.startsWith("/*")) rest = trimmed.slice(trimmed.indexOf("*/") === -1 ? trimmed.length : trimmed.indexOf("*/") + 2);
    else return /^[A-Za-z_]+/.exec(trimmed)?.[0]?.toUpperCase() ?? "such";
  }
}

/**
 * DuckDB's sandbox refusals said as the rule they enforce: a file outside the allowed folders
 * ("Permission Error: Cannot access file "/etc/passwd" - file system operations are disabled by
 * configuration"), or a URL whose file system is an extension that is never loaded ("Missing
 * Extension Error: File s3://b/k requires the extension httpfs to be loaded"). DuckDB gives its
 * error class only as the message's prefix. Undefined for any other message.
 */
export function sandboxRefusal(message: string): string | undefined {
  const file = /^Permission Error: Cannot access (?:file|directory) "([^"]*)"/.exec(message)?.[1];
  const url = /^Missing Extension Error: File (\S+) requires the extension/.exec(message)?.[1];
  const target = file ?? url;
  if (target === undefined) return /^Permission Error:/.test(message) ? `refused: ${message.replace(/^Permission Error:\s*/, "")}` : undefined;
  if (url !== undefined || (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !/^file:\/\//i.test(target))) {
    return `may not read "${target}": a query reads local files only; read an s3:// object with a csv: or parquet: source under an s3:// entry of settings.allowedRoots`;
  }
  return `may not read "${target}": a query reads only files in the spec folder and settings.allowedRoots`;
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL identifier, quoted. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
