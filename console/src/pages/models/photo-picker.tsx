// Picks 10-20 photos and uploads them one after another (training-image purpose), showing each
// file's progress; answers the upload ids once all are stored. A failed file stops the batch
// with its name: the user picks again (uploads not used expire on their own after a day).
import { useState } from "preact/hooks";
import type { Api } from "../../api";
import { uploadFile } from "../../lib/upload";
import { Progress } from "../../ui";

export const MIN_PHOTOS = 10;
export const MAX_PHOTOS = 20;

export interface PhotoState { name: string; progress: number }

export async function uploadAll(api: Api, files: File[], onState: (states: PhotoState[]) => void): Promise<string[]> {
  const states = files.map((f) => ({ name: f.name, progress: 0 }));
  onState([...states]);
  const ids: string[] = [];
  for (const [i, file] of files.entries()) {
    ids.push(await uploadFile(api, file, "training-image", (p) => {
      states[i] = { ...states[i], progress: p };
      onState([...states]);
    }));
  }
  return ids;
}

export function PhotoList({ states }: { states: PhotoState[] }) {
  if (states.length === 0) return null;
  return (
    <ul class="photos" data-testid="photo-progress">
      {states.map((s) => (
        <li data-done={s.progress >= 1 ? "yes" : "no"}><span>{s.name}</span><Progress value={s.progress} /></li>
      ))}
    </ul>
  );
}

/** The file input; counts outside 10-20 are told at once, before anything is uploaded. */
export function PhotoInput({ onFiles }: { onFiles: (files: File[]) => void }) {
  const [note, setNote] = useState("");
  const pick = (e: Event) => {
    const files = [...((e.currentTarget as HTMLInputElement).files ?? [])];
    const ok = files.length >= MIN_PHOTOS && files.length <= MAX_PHOTOS;
    setNote(ok ? `${files.length} photos` : `Pick ${MIN_PHOTOS} to ${MAX_PHOTOS} photos (${files.length} picked)`);
    onFiles(ok ? files : []);
  };
  return (
    <label>Photos ({MIN_PHOTOS}–{MAX_PHOTOS}; JPEG, PNG or WebP)
      <input name="photos" type="file" multiple accept="image/jpeg,image/png,image/webp" onChange={pick} />
      <span class="muted">{note}</span>
    </label>
  );
}
