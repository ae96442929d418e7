// One file to the API's storage: createUpload answers a signed PUT URL and the exact headers to
// send; XMLHttpRequest (not fetch) because only it reports upload progress.
import type { Api } from "../api";
import type { UploadPurpose } from "../../../functions/src/uploads/schema";

interface CreatedUpload { uploadId: string; uploadUrl: string; method: "PUT"; headers: Record<string, string> }

/** Resolves with the uploadId once the bytes are stored; `onProgress` gets 0..1. */
export async function uploadFile(api: Api, file: File, purpose: UploadPurpose, onProgress: (fraction: number) => void = () => undefined): Promise<string> {
  const created = await api.post<CreatedUpload>("createUpload", { purpose, contentType: file.type, bytes: file.size });
  await put(created, file, onProgress);
  onProgress(1);
  return created.uploadId;
}

function put(target: CreatedUpload, file: File, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.uploadUrl);
    // Content-Length is the browser's to set (from the body); the rest are signed into the URL.
    for (const [k, v] of Object.entries(target.headers)) if (k.toLowerCase() !== "content-length") xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`upload of ${file.name} refused (HTTP ${xhr.status})`)));
    xhr.onerror = () => reject(new Error(`upload of ${file.name} failed (network)`));
    xhr.send(file);
  });
}
