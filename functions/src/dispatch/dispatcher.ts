// How a paid-for job reaches a runner. Every implementation builds the same task: named after
// the request id (a duplicate enqueue is rejected upstream and counts as success), POSTed to the
// runner's task URL with the request id as the body.
export interface DispatchJob {
  requestId: string;
}

export interface Dispatcher {
  readonly mode: string;
  /** Resolves once the job is durably enqueued (or was already). Throws if it could not be. */
  dispatch(job: DispatchJob): Promise<void>;
}

/** No runner attached: the request stays `queued` and only its dispatch record says so. */
export class RecordingDispatcher implements Dispatcher {
  readonly mode = "record";
  async dispatch(): Promise<void> {}
}
