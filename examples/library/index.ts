/**
 * Your own Pulumi program: one audience declared by hand with its cookie members from an ID file,
 * plus the audiences of a spec file, all from the installed `dsp-audiences` package.
 *
 *   pulumi config set dsp:endpoint http://127.0.0.1:8080   # `npm run sim -- --port 8080`, or dsp:region NA
 *   pulumi config set dsp:clientId …; pulumi config set --secret dsp:clientSecret …; … dsp:refreshToken …
 */
import * as path from "path";
import { AudienceMembership, DataProviderAudience, declareSpecFile } from "dsp-audiences";

const audience = new DataProviderAudience("newsletter-readers", {
  name: "Newsletter readers, weekly",
  description: "Opened at least one newsletter in the last 30 days",
  advertiserId: "5840142710901",
  externalAudienceId: "newsletter-readers",
  dataSourceCountry: ["US"],
  ttl: 30 * 24 * 3600,
});

const cookies = new AudienceMembership("newsletter-readers-cookie", {
  // The resource id stays known while an update is previewed, so memberships are not replaced needlessly.
  audienceId: audience.id,
  idType: "COOKIE",
  members: { files: [path.join(__dirname, "ids", "newsletter-cookies.txt")] },
});

export const audienceId = audience.audienceId;
export const members = cookies.desiredCount;
// The spec's audiences, declared by the same code that `pulumi up` on a spec repository runs: an
// input error in the spec or its files ends the program with one clean message per problem.
export const fromSpec = declareSpecFile(path.join(__dirname, "audiences.yaml"));
