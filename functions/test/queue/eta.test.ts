// Queue position and ETA arithmetic: list scheduling of the work ahead onto the pool's slots.
import { etaKeyOf, perImageFrom, planQueue, runningEta, type QueueJob } from "../../src/queue/eta";

const perImage = (key: string) => (key === "slow" ? 30 : 10);
const job = (id: string, images = 1, etaKey = "fast", progress?: number): QueueJob => ({ id, etaKey, images, progress });

describe("queue figures", () => {
  it("positions are the exact order of 20 queued jobs, and ETAs follow the slots", () => {
    const queued = Array.from({ length: 20 }, (_, i) => job(`q${i}`));
    const plan = planQueue([], queued, 2, perImage);
    queued.forEach((j, i) => expect(plan.get(j.id)).toEqual({ position: i, etaSeconds: (Math.floor(i / 2) + 1) * 10 }));
  });

  it("a running job holds its slot for what is left of it, by progress", () => {
    expect(runningEta(job("r", 2, "fast", 0.25), perImage)).toBe(15);
    const plan = planQueue([job("r1", 1, "slow", 0.5), job("r2", 1, "fast", 0.9)], [job("a"), job("b", 2)], 2, perImage);
    // Slots free at 15 and 1: a takes the one free at 1 (done 11), b the one at 11 (done 31).
    expect(plan.get("a")).toEqual({ position: 0, etaSeconds: 11 });
    expect(plan.get("b")).toEqual({ position: 1, etaSeconds: 31 });
  });

  it("counts jobs beyond those read at the average duration, and never answers a negative time", () => {
    const plan = planQueue([], [job("me", 1, "slow")], 1, perImage, 5, 10);
    expect(plan.get("me")).toEqual({ position: 5, etaSeconds: 80 });
    expect(runningEta(job("done", 1, "fast", 1.5), perImage)).toBe(0);
  });

  it("an unmeasured key takes the mean of the measured ones, or the default when none is", () => {
    expect(perImageFrom(new Map(), 8)("a")).toBe(8);
    const p = perImageFrom(new Map([["a", 2], ["b", 4]]), 8);
    expect([p("a"), p("b"), p("c")]).toEqual([2, 4, 3]);
  });

  it("keys the estimate by template, size and upscale", () => {
    expect(etaKeyOf({ workflow: "txt2img", width: 512, height: 768 })).toBe("txt2img@512x768");
    expect(etaKeyOf({ workflow: "txt2img", width: 512, height: 768, upscale: { factor: 4, refine: { denoise: 0.35 } } })).toBe("txt2img@512x768-x4r");
  });
});
