// Custom models: upload 10-20 photos (per-file progress), train (the API charges once and
// queues), watch training live, cancel while queued, delete. The base models offered are the
// enabled catalog models with a `training` block, the ones createCustomModel accepts.
import { useEffect, useState } from "preact/hooks";
import { collection, getDocs } from "firebase/firestore";
import type { ModelItem } from "../../../../functions/src/catalog/types";
import type { CreateCustomModelInput } from "../../../../functions/src/models/schema";
import { useSession } from "../../session";
import { Empty, ErrorBox, Loading, Progress, StatusBadge } from "../../ui";
import { useMyModels, type ModelRow } from "./live";
import { PhotoInput, PhotoList, uploadAll, type PhotoState } from "./photo-picker";

// A type import keeps zod out of the bundle; the type checks the list against the schema.
const SUBJECTS: CreateCustomModelInput["subject"][] = ["person", "product", "style"];

export function CustomModels() {
  const { models, error } = useMyModels();
  return (
    <section>
      <h1>Custom models</h1>
      <p class="muted">Train a model of a person, product or style from 10–20 photos, then pick it in Generate. Training is charged once; a run that fails or is cancelled while queued is refunded.</p>
      <TrainForm />
      <ErrorBox error={error} />
      {!models ? <Loading what="Loading your models" /> : models.length === 0 ? <Empty>No custom models yet.</Empty> : <ModelTable models={models} />}
    </section>
  );
}

function TrainForm() {
  const s = useSession();
  const [bases, setBases] = useState<ModelItem[] | null>(null);
  const [form, setForm] = useState({ name: "", baseModel: "", subject: "person", triggerWord: "" });
  const [files, setFiles] = useState<File[]>([]);
  const [photos, setPhotos] = useState<PhotoState[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    getDocs(collection(s.db, "models")).then((snap) => {
      const list = snap.docs.map((d) => ({ ...(d.data() as ModelItem), id: d.id })).filter((m) => m.enabled && m.training);
      setBases(list);
      setForm((f) => ({ ...f, baseModel: list[0]?.id ?? "" }));
    }, setError);
  }, []);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const imageUploadIds = await uploadAll(s.api, files, setPhotos);
      await s.api.post("createCustomModel", { ...form, triggerWord: form.triggerWord || undefined, imageUploadIds });
      setForm((f) => ({ ...f, name: "", triggerWord: "" }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!bases) return <Loading what="Loading the base models" />;
  return (
    <form class="card" onSubmit={submit}>
      <h2>Train a new model</h2>
      <div class="row">
        <label>Name <input name="modelName" required maxLength={100} value={form.name} onInput={set("name")} /></label>
        <label>Base model <select name="baseModel" value={form.baseModel} onChange={set("baseModel")}>{bases.map((b) => <option value={b.id}>{b.displayName} ({b.training?.creditsPerRun ?? "?"} cr)</option>)}</select></label>
        <label>Subject <select name="subject" value={form.subject} onChange={set("subject")}>{SUBJECTS.map((x) => <option value={x}>{x}</option>)}</select></label>
        <label>Trigger word (optional) <input name="triggerWord" pattern="[A-Za-z][A-Za-z0-9]{2,31}" value={form.triggerWord} onInput={set("triggerWord")} /></label>
      </div>
      <PhotoInput onFiles={setFiles} />
      <PhotoList states={photos} />
      <ErrorBox error={error} />
      <button type="submit" disabled={busy || files.length === 0 || !form.baseModel}>{busy ? "Uploading…" : "Upload and train"}</button>
    </form>
  );
}

function ModelTable({ models }: { models: ModelRow[] }) {
  return (
    <table data-testid="custom-models">
      <thead><tr><th>Name</th><th>Trigger word</th><th>Base</th><th>Status</th><th>Photos</th><th>Cost</th><th /></tr></thead>
      <tbody>{models.map((m) => <ModelLine m={m} />)}</tbody>
    </table>
  );
}

function ModelLine({ m }: { m: ModelRow }) {
  const s = useSession();
  const [error, setError] = useState<unknown>(null);
  const act = (name: "cancelCustomModel" | "deleteCustomModel") => () => s.api.post(name, { id: m.id }).then(() => setError(null), setError);
  return (
    <tr data-testid="custom-model" data-id={m.id} data-status={m.status}>
      <td>{m.name}</td>
      <td><code>{m.triggerWord}</code></td>
      <td>{m.baseModel}</td>
      <td>
        <StatusBadge status={m.status} />
        {m.status === "training" && <><Progress value={m.progress} /><span class="muted">step {m.step}/{m.steps}</span></>}
        {m.error && <span class="muted">{m.error}</span>}
        <ErrorBox error={error} />
      </td>
      <td>{m.imageCount}</td>
      <td>{m.cost} cr</td>
      <td>
        {m.status === "queued" && <button class="secondary" onClick={act("cancelCustomModel")}>Cancel</button>}
        <button class="secondary" onClick={act("deleteCustomModel")}>Delete</button>
      </td>
    </tr>
  );
}
