// The form comes from the catalog the API validates against (Firestore, enabled entries only);
// the price uses the API's own pricing function. Nothing is refused here that the API accepts:
// a price above the balance still goes to the API, which answers with its 402 message.
import { useEffect, useState } from "preact/hooks";
import { collection, getDocs } from "firebase/firestore";
import type { ModelItem, SizeItem, CatalogItem, UpscaleFactorKey } from "../../../functions/src/catalog/types";
import type { CreateReply } from "../../../functions/src/requests/schema";
import { priceOf } from "../../../functions/src/requests/pricing";
import { go } from "../router";
import { useSession } from "../session";
import { ErrorBox, Loading } from "../ui";
import { GenerateExtras, type Extras } from "./models/generate-extras";

interface Catalog { models: ModelItem[]; styles: CatalogItem[]; colors: CatalogItem[]; sizes: SizeItem[] }

export function Generate() {
  const s = useSession();
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [form, setForm] = useState({ model: "", style: "", color: "", size: "", prompt: "", negativePrompt: "", numImages: 1, upscale: "", refine: false });
  // The input photo (uploaded) and a custom model come from GenerateExtras; the mask travels inline.
  const [extras, setExtras] = useState<Extras>({});
  const [mask, setMask] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    loadCatalog(s).then((c) => {
      setCatalog(c);
      setForm((f) => ({ ...f, model: c.models[0]?.id ?? "", style: c.styles[0]?.id ?? "", color: c.colors[0]?.id ?? "", size: c.sizes[0]?.id ?? "" }));
    }, setError);
  }, []);
  if (!catalog) return error ? <ErrorBox error={error} /> : <Loading what="Loading the catalog" />;
  const model = catalog.models.find((m) => m.id === form.model);
  const size = catalog.sizes.find((z) => z.id === form.size);
  const upscale = form.upscale ? model?.upscale?.[form.upscale as UpscaleFactorKey] : undefined;
  const refine = Boolean(upscale?.refineCreditMultiplier) && form.refine;
  const price = model && size ? priceOf(model, size, form.numImages, upscale ? (refine ? upscale.refineCreditMultiplier : upscale.creditMultiplier) : 1) : null;
  const set = (k: keyof typeof form) => (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    setForm({ ...form, [k]: k === "numImages" ? Number(input.value) : k === "refine" ? input.checked : input.value });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { upscale: factor, refine: _refine, ...rest } = form;
      const body = {
        ...rest, negativePrompt: form.negativePrompt || undefined, ...extras,
        ...(model?.kind === "image-to-image" && mask ? { maskImage: mask } : {}),
        ...(upscale ? { upscale: Number(factor), ...(refine ? { refine: true } : {}) } : {}),
      };
      const created = await s.api.post<CreateReply>("createGenerationRequest", body);
      go(`requests/${created.generationRequestId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const select = (k: "model" | "style" | "color" | "size", items: CatalogItem[]) => (
    <label>{k} <select name={k} value={form[k]} onChange={set(k)}>{items.map((i) => <option value={i.id}>{i.displayName}</option>)}</select></label>
  );
  return (
    <form class="card generate" onSubmit={submit}>
      <h1>Generate</h1>
      <div class="row">{select("model", catalog.models)}{select("style", catalog.styles)}{select("color", catalog.colors)}{select("size", catalog.sizes)}
        <label>images <input name="numImages" type="number" min={1} max={4} value={form.numImages} onInput={set("numImages")} /></label>
      </div>
      <label>Prompt <textarea name="prompt" rows={3} value={form.prompt} onInput={set("prompt")} /></label>
      <label>Negative prompt <input name="negativePrompt" value={form.negativePrompt} onInput={set("negativePrompt")} /></label>
      <GenerateExtras baseModel={form.model} imageToImage={model?.kind === "image-to-image"} onChange={setExtras} />
      {model?.kind === "image-to-image" && (
        <label>Mask, optional: white is repainted, black is kept; the input photo's size <input name="maskImage" type="file" accept="image/jpeg,image/png,image/webp" onChange={(e) => readImage(e, setMask)} /></label>
      )}
      {model?.upscale && (
        <div class="row">
          <label>upscale <select name="upscale" value={form.upscale} onChange={set("upscale")}>
            <option value="">none</option>
            {Object.keys(model.upscale).sort().map((f) => <option value={f}>{f}×</option>)}
          </select></label>
          {upscale?.refineCreditMultiplier && <label><input name="refine" type="checkbox" checked={form.refine} onChange={set("refine")} /> refine (a second pass at the upscaled size)</label>}
        </div>
      )}
      <p class="price" data-testid="price">{price === null ? "–" : `Price: ${price} credit${price === 1 ? "" : "s"}`}</p>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy}>{busy ? "Submitting…" : "Generate"}</button>
    </form>
  );
}

async function loadCatalog(s: ReturnType<typeof useSession>): Promise<Catalog> {
  const read = async <T extends CatalogItem>(name: string) =>
    (await getDocs(collection(s.db, name))).docs.map((d) => ({ ...(d.data() as T), id: d.id })).filter((i) => i.enabled);
  const [models, styles, colors, sizes] = await Promise.all([read<ModelItem>("models"), read("styles"), read("colors"), read<SizeItem>("sizes")]);
  sizes.sort((a, b) => a.width * a.height - b.width * b.height);
  return { models, styles, colors, sizes };
}

function readImage(e: Event, done: (dataUrl: string | null) => void) {
  const file = (e.currentTarget as HTMLInputElement).files?.[0];
  if (!file) return done(null);
  const reader = new FileReader();
  reader.onload = () => done(String(reader.result));
  reader.readAsDataURL(file);
}
