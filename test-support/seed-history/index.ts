export { planRequests, CREDITS_PER_IMAGE, type SeedGrant, type SeedRequest, type SeedStatus } from "./plan";
export { seedHistory } from "./write";
// For the dev seed's bundle (scripts/lib/seed-history.mjs): the week arithmetic it plans with.
export { lastCompleteIsoWeek, parseIsoWeek, shiftIsoWeek } from "../../functions/src/shared/isoWeek";
