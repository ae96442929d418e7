// Hash routes (#/gallery, #/admin/users/uid): no server-side fallback needed on Hosting.
import { useLayoutEffect, useState } from "preact/hooks";

const parse = (hash: string) => hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);

export function useRoute(): string[] {
  const [hash, setHash] = useState(() => location.hash);
  // A layout effect subscribes in the same task as the render; a plain effect waits for the
  // next frame, and a hash set in between (a deep link followed at once) was lost.
  useLayoutEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener("hashchange", on);
    on(); // and take any change made before this subscription
    return () => removeEventListener("hashchange", on);
  }, []);
  return parse(hash);
}

export const go = (path: string) => {
  location.hash = `#/${path}`;
};
