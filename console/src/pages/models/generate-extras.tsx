// Generate's custom-model and input-photo fields, kept apart from the form: a ready custom model
// of the chosen base model with its LoRA strength, and for an image-to-image model a photo
// uploaded through createUpload (its uploadId goes in the request, not the bytes).
import { useEffect, useState } from "preact/hooks";
import type { CreateRequestInput } from "../../../../functions/src/requests/schema";
import { uploadFile } from "../../lib/upload";
import { useSession } from "../../session";
import { ErrorBox, Progress } from "../../ui";
import { useMyModels } from "./live";

export type Extras = Pick<CreateRequestInput, "customModelId" | "loraStrength" | "inputImageUploadId">;

/** The API's default strength when none is sent; the slider starts there. */
const DEFAULT_STRENGTH = 0.9;

export function GenerateExtras({ baseModel, imageToImage, onChange }: { baseModel: string; imageToImage: boolean; onChange: (extras: Extras) => void }) {
  const [custom, setCustom] = useState({ id: "", strength: DEFAULT_STRENGTH });
  const [uploadId, setUploadId] = useState<string | undefined>(undefined);
  useEffect(() => onChange({
    ...(custom.id ? { customModelId: custom.id, loraStrength: custom.strength } : {}),
    ...(imageToImage && uploadId ? { inputImageUploadId: uploadId } : {}),
  }), [custom, uploadId, imageToImage]);
  return (
    <>
      <CustomModelPicker baseModel={baseModel} value={custom} onChange={setCustom} />
      {imageToImage && <InputPhoto onUploaded={setUploadId} />}
    </>
  );
}

function CustomModelPicker({ baseModel, value, onChange }: { baseModel: string; value: { id: string; strength: number }; onChange: (v: { id: string; strength: number }) => void }) {
  const { models } = useMyModels();
  const ready = (models ?? []).filter((m) => m.status === "ready" && m.baseModel === baseModel);
  // A model of another base (the base changed) is dropped rather than sent and refused.
  useEffect(() => {
    if (value.id && models && !ready.some((m) => m.id === value.id)) onChange({ ...value, id: "" });
  }, [baseModel, models]);
  if (ready.length === 0) return null;
  return (
    <div class="row">
      <label>Custom model <select name="customModelId" value={value.id} onChange={(e) => onChange({ ...value, id: e.currentTarget.value })}>
        <option value="">None</option>
        {ready.map((m) => <option value={m.id}>{m.name} ({m.triggerWord})</option>)}
      </select></label>
      {value.id && (
        <label>Strength {value.strength.toFixed(2)}
          <input name="loraStrength" type="range" min={0} max={2} step={0.05} value={value.strength} onInput={(e) => onChange({ ...value, strength: Number(e.currentTarget.value) })} />
        </label>
      )}
    </div>
  );
}

function InputPhoto({ onUploaded }: { onUploaded: (uploadId: string | undefined) => void }) {
  const s = useSession();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pick = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    onUploaded(undefined);
    setError(null);
    if (!file) return setProgress(null);
    setProgress(0);
    try {
      onUploaded(await uploadFile(s.api, file, "input-image", setProgress));
    } catch (err) {
      setProgress(null);
      setError(err);
    }
  };
  return (
    <div data-testid="input-photo" data-uploaded={progress === 1 ? "yes" : "no"}>
      <label>Input photo (JPEG, PNG or WebP) <input name="inputPhoto" type="file" accept="image/jpeg,image/png,image/webp" onChange={pick} /></label>
      {progress !== null && <Progress value={progress} />}
      <ErrorBox error={error} />
    </div>
  );
}
