// The seed data of DESIGN.md, as code. `npm run seed` writes it into the emulators and exports
// the result to emulator-export/. Tests and the demo rely on these ids and balances.
export const PROJECT_ID = "demo-imagegen";

export const users = [
  { uid: "user_test1", email: "user1@example.com", password: "password123", credits: 10, role: "user" },
  { uid: "user_test2", email: "user2@example.com", password: "password123", credits: 3, role: "user" },
  { uid: "admin_test", email: "admin@example.com", password: "password123", credits: 1000, role: "admin" },
  { uid: "superadmin_test", email: "superadmin@example.com", password: "password123", credits: 100, role: "superadmin" },
];

// Upscale options (factor → upscale model file and price multiplier, without and with the refine
// pass): the Real-ESRGAN x2/x4 releases, placed in ComfyUI's models/upscale_models by the image.
const UPSCALE = {
  2: { upscaleModel: "RealESRGAN_x2plus.pth", creditMultiplier: 2, refineCreditMultiplier: 3 },
  4: { upscaleModel: "RealESRGAN_x4plus.pth", creditMultiplier: 4, refineCreditMultiplier: 8 },
};

export const catalog = {
  models: [
    // Issue 15: model A is trainable (custom models), so user1@example.com (10 credits) can train one.
    {
      id: "A", displayName: "Model A (SD 1.5)", enabled: true, creditsPerImage: 1, workflow: "txt2img", kind: "text-to-image", steps: 20,
      training: { creditsPerRun: 5, defaultSteps: 200, maxSteps: 1000, workflow: "train-lora", loraLoader: "LoraLoader" },
      upscale: UPSCALE,
    },
    { id: "B", displayName: "Model B (SDXL)", enabled: true, creditsPerImage: 2, workflow: "txt2img-sdxl", kind: "text-to-image", steps: 25, upscale: UPSCALE },
    { id: "staging", displayName: "Virtual staging", enabled: true, creditsPerImage: 2, workflow: "img2img-staging", kind: "image-to-image", steps: 25, denoise: 0.6, upscale: UPSCALE },
    { id: "legacy", displayName: "Legacy model (retired)", enabled: false, creditsPerImage: 1, workflow: "txt2img", kind: "text-to-image", steps: 20 },
  ],
  styles: [
    { id: "realistic", displayName: "Realistic", enabled: true, prompt: "photorealistic, natural light, high detail" },
    { id: "anime", displayName: "Anime", enabled: true, prompt: "anime style, cel shading, clean line art" },
    { id: "scandinavian", displayName: "Scandinavian interior", enabled: true, prompt: "scandinavian interior design, light wood, minimal furniture" },
    { id: "vaporwave", displayName: "Vaporwave (disabled)", enabled: false, prompt: "vaporwave aesthetic" },
  ],
  colors: [
    { id: "vibrant", displayName: "Vibrant", enabled: true, prompt: "vibrant saturated colors" },
    { id: "muted", displayName: "Muted", enabled: true, prompt: "muted pastel palette" },
    { id: "monochrome", displayName: "Monochrome", enabled: true, prompt: "black and white, monochrome" },
    { id: "sepia", displayName: "Sepia (disabled)", enabled: false, prompt: "sepia tone" },
  ],
  sizes: [
    { id: "512x512", displayName: "512 × 512", enabled: true, width: 512, height: 512, creditMultiplier: 1 },
    { id: "768x768", displayName: "768 × 768", enabled: true, width: 768, height: 768, creditMultiplier: 2 },
    { id: "1024x1024", displayName: "1024 × 1024", enabled: true, width: 1024, height: 1024, creditMultiplier: 4 },
    { id: "2048x2048", displayName: "2048 × 2048 (disabled)", enabled: false, width: 2048, height: 2048, creditMultiplier: 16 },
    // Issue 15: portrait and landscape, priced by pixel count like the squares (512² = 1 credit
    // per image, 768² = 2.25× → 2): 786,432 and 1,011,712 pixels are 3× and 3.86× 512² → 3 and 4.
    { id: "768x1024", displayName: "768 × 1024 (portrait)", enabled: true, width: 768, height: 1024, creditMultiplier: 3 },
    { id: "1024x768", displayName: "1024 × 768 (landscape)", enabled: true, width: 1024, height: 768, creditMultiplier: 3 },
    { id: "832x1216", displayName: "832 × 1216 (portrait)", enabled: true, width: 832, height: 1216, creditMultiplier: 4 },
    { id: "1216x832", displayName: "1216 × 832 (landscape)", enabled: true, width: 1216, height: 832, creditMultiplier: 4 },
  ],
};

// --- money in (issue 16): plans and packs. Enterprise is "unlimited" as a credit limit: usage is
// invoiced, not blocked (see docs/billing.md). Price ids are the Stripe prices that sell them.
export const billing = {
  plans: [
    { id: "free", displayName: "Free", monthlyCredits: 3, modelSlots: 1, ratePerMinute: 10, creditLimit: 0, stripePriceId: null, enabled: true },
    { id: "creator", displayName: "Creator ($20/month)", monthlyCredits: 200, modelSlots: 3, ratePerMinute: 30, creditLimit: 0, stripePriceId: "price_creator_monthly", enabled: true },
    { id: "pro", displayName: "Pro ($40/month)", monthlyCredits: 500, modelSlots: 10, ratePerMinute: 60, creditLimit: 0, stripePriceId: "price_pro_monthly", enabled: true },
    { id: "enterprise", displayName: "Enterprise ($99/month, usage invoiced)", monthlyCredits: 1000, modelSlots: 50, ratePerMinute: 120, creditLimit: 100000, stripePriceId: "price_enterprise_monthly", enabled: true },
  ],
  packs: [
    { id: "pack-100", displayName: "100 credits", credits: 100, stripePriceId: "price_pack_100", expiresAfterDays: null, enabled: true },
    { id: "pack-500", displayName: "500 credits", credits: 500, stripePriceId: "price_pack_500", expiresAfterDays: null, enabled: true },
  ],
};
