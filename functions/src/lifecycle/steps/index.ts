// The erasure, in order. The account and keys stop first (no new work arrives), then billing (no
// new charges), open work is ended and refunded before anything is scrubbed, the profile goes last. Issue 15 and 16 add
// their collections here as one step file each (customModels also removes upload records).
import { accountStep } from "./account";
import { apiKeysStep } from "./apiKeys";
import { customModelsStep } from "./customModels";
import { ledgerStep } from "./ledger";
import { profileStep } from "./profile";
import { requestsStep } from "./requests";
import { storageStep } from "./storage";
import { stripeStep } from "./stripe";
import type { EraseStep } from "./types";
import { webhooksStep } from "./webhooks";
import { workStep } from "./work";

export const ERASE_STEPS: EraseStep[] = [accountStep, apiKeysStep, stripeStep, workStep, customModelsStep, requestsStep, storageStep, ledgerStep, webhooksStep, profileStep];
