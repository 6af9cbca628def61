import { imageOutputTokens, PARTIAL_IMAGE_TOKENS } from './image-output-tokens.js';
import { count, isObj, str, type Json } from './json.js';
import type { ImageToolBound } from './request-info.js';
import type { AdvisorUsage } from './usage.js';

/**
 * The Responses API's `image_generation` tool (openai SDK `Tool.ImageGeneration`): the
 * mainline model calls it, and each image it makes is billed at the tool's image model's rates
 * (`model`, default `gpt-image-1`), apart from the answer's `usage`, which is the mainline
 * model's alone. Each image becomes a sub-inference of the call (Usage.advisors, the storage
 * the Anthropic advisor tool uses: a model and its token counts), priced by the pricer at its
 * own model's price (pricing/pricer.ts), stored and repriced with the call.
 */

/** The model the tool runs when it names none (SDK: "The image generation model to use. Default: `gpt-image-1`."). */
export const DEFAULT_IMAGE_TOOL_MODEL = 'gpt-image-1';

/** The first `image_generation` entry of a `tools` list (a request's, or the one a Responses answer echoes); undefined when none. */
export function imageGenerationTool(tools: unknown): Json | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (const t of tools) if (isObj(t) && t.type === 'image_generation') return t;
  return undefined;
}

/**
 * One completed `image_generation_call` item of an answer as a sub-inference: output tokens
 * that are all image tokens, by the item's `size` and `quality` (on the wire, beside `result`),
 * else the tool's, an `auto` or unknown one at the dearest (image-output-tokens.ts
 * imageOutputTokens: quality high, the size whose image costs most), plus
 * PARTIAL_IMAGE_TOKENS for each of the `partials` partial images a stream sent for it. Its
 * input is 0: the answer says nothing of what the image model read (the revised prompt, images
 * of the conversation), so it is left out (docs/prices.md, "Image generation tool").
 */
export function imageCallUsage(item: Json, tool: Json | undefined, partials: number): AdvisorUsage {
  const model = str(tool?.model) ?? DEFAULT_IMAGE_TOOL_MODEL;
  const shape = { size: str(item.size) ?? tool?.size, quality: str(item.quality) ?? tool?.quality };
  const tokens = imageOutputTokens(shape, model) + PARTIAL_IMAGE_TOKENS * partials;
  return { model, inputTokens: 0, outputTokens: tokens, outputImageTokens: tokens, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
}

/**
 * Whether an output item is an image the tool made and OpenAI bills: an `image_generation_call`
 * whose `status` is `completed` (or, without a status, that carries a `result`). A `failed` one,
 * or one a cut or incomplete response left `in_progress` or `generating`, made no image.
 */
export function isBilledImageCall(item: Json): boolean {
  if (item.type !== 'image_generation_call') return false;
  return item.status === undefined ? typeof item.result === 'string' : item.status === 'completed';
}

/**
 * What a Responses request's image_generation tool may bill, for the budget hold: one entry (the
 * API takes one such tool) of its model, the most output tokens one image of its size and quality
 * may be billed (imageOutputTokens: `auto` or unset quality as high, `auto` or unset size as the
 * dearest, plus 100 per `partial_images`), and how many images: the request's `max_tool_calls`
 * ("The maximum number of total calls to built-in tools that can be processed in a response"),
 * else 1, since nothing else bounds them. Undefined when the request has no such tool.
 */
export function responsesImageTools(body: Json): ImageToolBound[] | undefined {
  const tool = imageGenerationTool(body.tools);
  if (tool === undefined) return undefined;
  const model = str(tool.model) ?? DEFAULT_IMAGE_TOOL_MODEL;
  return [{ model, outputTokensPerImage: imageOutputTokens(tool, model), images: count(body.max_tool_calls) ?? 1 }];
}
