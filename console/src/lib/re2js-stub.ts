// Firestore's SDK bundles re2js (≈147 KB minified) only to evaluate regex/LIKE expressions of
// Pipeline queries locally. The console runs no pipelines, so the build aliases re2js to this
// stub; should one ever run, the SDK catches the error and logs it instead of matching.
export const RE2JS = {
  compile(): never {
    throw new Error("re2js is not bundled in the console (no Pipeline regex expressions)");
  },
};
