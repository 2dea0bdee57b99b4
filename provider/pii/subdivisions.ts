/**
 * US state and Canadian province codes and names, for the `state` field. US and CA share one
 * table because North American files routinely mix both.
 */
const NAMES_BY_CODE: Readonly<Record<string, readonly string[]>> = {
  al: ["alabama"], ak: ["alaska"], az: ["arizona"], ar: ["arkansas"], ca: ["california"], co: ["colorado"],
  ct: ["connecticut"], de: ["delaware"], dc: ["districtofcolumbia", "washingtondc"], fl: ["florida"],
  ga: ["georgia"], hi: ["hawaii"], id: ["idaho"], il: ["illinois"], in: ["indiana"], ia: ["iowa"],
  ks: ["kansas"], ky: ["kentucky"], la: ["louisiana"], me: ["maine"], md: ["maryland"], ma: ["massachusetts"],
  mi: ["michigan"], mn: ["minnesota"], ms: ["mississippi"], mo: ["missouri"], mt: ["montana"], ne: ["nebraska"],
  nv: ["nevada"], nh: ["newhampshire"], nj: ["newjersey"], nm: ["newmexico"], ny: ["newyork"],
  nc: ["northcarolina"], nd: ["northdakota"], oh: ["ohio"], ok: ["oklahoma"], or: ["oregon"],
  pa: ["pennsylvania"], ri: ["rhodeisland"], sc: ["southcarolina"], sd: ["southdakota"], tn: ["tennessee"],
  tx: ["texas"], ut: ["utah"], vt: ["vermont"], va: ["virginia"], wa: ["washington"], wv: ["westvirginia"],
  wi: ["wisconsin"], wy: ["wyoming"],
  // Territories and military "states" (APO/FPO) are valid USPS codes.
  pr: ["puertorico"], gu: ["guam"], vi: ["virginislands", "usvirginislands"], as: ["americansamoa"],
  mp: ["northernmarianaislands"], aa: [], ae: [], ap: [],
  // Canada
  ab: ["alberta"], bc: ["britishcolumbia"], mb: ["manitoba"], nb: ["newbrunswick"],
  nl: ["newfoundlandandlabrador", "newfoundland"], ns: ["novascotia"], nt: ["northwestterritories"],
  nu: ["nunavut"], on: ["ontario"], pe: ["princeedwardisland"], qc: ["quebec"], sk: ["saskatchewan"], yt: ["yukon"],
};

const CODE_BY_NAME: ReadonlyMap<string, string> = new Map(
  Object.entries(NAMES_BY_CODE).flatMap(([code, names]) => names.map((name) => [name, code] as const)),
);

/**
 * The lowercase two-letter code for a US state or Canadian province, given its code or its
 * full name already reduced to `[a-z]` ("New York" → "newyork"); undefined when unknown.
 */
export function northAmericanSubdivisionCode(letters: string): string | undefined {
  if (letters.length === 2) return Object.prototype.hasOwnProperty.call(NAMES_BY_CODE, letters) ? letters : undefined;
  return CODE_BY_NAME.get(letters);
}
