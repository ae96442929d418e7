// Shapes of ComfyUI's HTTP and WebSocket messages that the runner reads (docs/comfyui-protocol.md).

export interface ImageRef { filename: string; subfolder: string; type: string }

export interface NodeError { type: string; message: string; details?: string; extra_info?: unknown }

export interface PromptResponse { prompt_id: string; number: number; node_errors: Record<string, unknown> | unknown[] }

export interface PromptErrorBody {
  error: { type: string; message: string; details?: string; extra_info?: unknown } | string;
  node_errors?: Record<string, { errors: NodeError[]; class_type?: string; dependent_outputs?: string[] }> | unknown[];
}

export interface HistoryEntry {
  prompt?: unknown[];
  outputs: Record<string, { images?: ImageRef[] } & Record<string, unknown>>;
  status?: { status_str: "success" | "error"; completed: boolean; messages: [string, Record<string, unknown>][] };
}

export interface WsMessage { type: string; data: Record<string, unknown> & { prompt_id?: string } }
