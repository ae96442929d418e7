export { planRequests, CREDITS_PER_IMAGE, type SeedGrant, type SeedRequest, type SeedStatus } from "./plan";
export { seedHistory } from "./write";
