/**
 * The AWS SDK's S3 client (`@aws-sdk/client-s3`), an optional peer dependency that only S3
 * snapshot stores and `s3://` sources need. Kept apart from the stores' public types: no
 * declaration a user's compiler reads names the SDK, so a project without it type-checks.
 */
import { requireOptional } from "../util/optional-package";

/** The npm package. */
export const S3_SDK_PACKAGE = "@aws-sdk/client-s3";

/** The SDK module's type. */
export type S3Sdk = typeof import("@aws-sdk/client-s3");

/**
 * The SDK, required on first use (it takes ~1.5 s to load, so file stores never load it); a
 * missing package is a MissingPackageError saying that `neededFor` needs it.
 */
export function loadS3Sdk(neededFor: string): S3Sdk {
  // Node 20 is supported here (package.json engines) and the lockfile pins an SDK that runs on
  // it; the SDK's notice that later releases need Node 22 would otherwise open every preview.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return requireOptional(S3_SDK_PACKAGE, neededFor, () => require("@aws-sdk/client-s3") as S3Sdk);
}
