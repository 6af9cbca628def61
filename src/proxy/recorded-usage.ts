import { BYTES_PER_TOKEN } from '../budget/estimate.js';
import { AUDIO_TOKENS_PER_SECOND, formatSeconds } from '../providers/audio-length.js';
import { CHARS_PER_TOKEN, estimateTokensOfLength } from '../providers/estimate.js';
import { usagelessImages } from '../providers/openai-images.js';
import { isTokenBilledSpeechModel, speechEstimate, untokenedSpeechNote } from '../providers/openai-speech.js';
import { emptyUsage, type RequestInfo, type Usage } from '../providers/types.js';
import type { CallOutcome, UsageSource } from '../store/types.js';
import { allowanceOnly, cutOutputPhrase, outputFromBytes, tooLargeNote, type BytesOutput } from './answer-bytes.js';
import type { BodyObservation, GeneratedUnread } from './observation.js';

/**
 * The usage a finished call is recorded with (CallRecorder): what the provider reported,
 * else an estimate from the request for a metered call that reached the provider and
 * consumed tokens without saying how many, else none (`unknown` or `not_metered`).
 */

/** What an estimate reads of the call beyond its request and body observation (CallRecorder implements it). */
export interface EstimateSource {
  /** An estimate counts the request's whole output allowance (a background response not followed: CallRecorder.completeUnknown). */
  readonly wholeAllowance: boolean;
  /** Why a non-streamed answer was generated but never read (CallRecorder.fail), counted at its whole allowance; undefined otherwise. */
  readonly generatedUnread?: GeneratedUnread;
  /** The request body's tokens (estimateTokens of its text; 0 without a body). */
  bodyTokens(): number;
  /** Output tokens the budget expects of a call of `model` without an output limit, if it knows. */
  expectedOutputTokens(model: string): number | undefined;
  /** Tokens of the provider-side state a request continues (ContextMemory), if known. */
  contextTokens(continues: string): number | undefined;
  /** The catalog's context window of `model` (tokens of one call, prompt and output), if it gives one. */
  contextWindowTokens(model: string): number | undefined;
}

/** The usage, where it came from, and a note for the record's `error` when the estimate needs one. */
export interface RecordedUsage {
  usage: Usage | null;
  source: UsageSource;
  note?: string;
  /**
   * True when `usage` must not be priced (a model billed per image: its answer has no token
   * counts, and a token price would make it $0): the call is recorded unpriced, `note` saying why.
   */
  unpriceable?: boolean;
  /**
   * The call's cost as its vendor reported it (nano-USD), recorded as is, never priced: an
   * Images answer with no token counts but a cost (xAI's `cost_in_usd_ticks` on a model
   * billed per image). The vendor's own figure beats "unpriced".
   */
  vendorCostNano?: number;
}

/** The usage of a call that ended with `outcome` after `seen`; `reachedProvider`: the request was sent. Allocates nothing beyond the result. */
export function recordedUsage(info: RequestInfo | null, outcome: CallOutcome, seen: BodyObservation, reachedProvider: boolean, from: EstimateSource): RecordedUsage {
  if (!info || !info.metered || outcome === 'refused') return { usage: null, source: 'not_metered' };
  const reported = seen.observed?.usage ?? null;
  if (reported) {
    const source = seen.observed?.estimated === true ? 'estimated' : 'reported';
    const vendorCost = info.kind === 'images' ? vendorCostOfUntokenedImages(reported) : undefined;
    const note = seen.observed?.estimateNote;
    // A stream the shutdown cut before its final usage: what it reported so far, its output at the allowance.
    if (source === 'estimated' && info.streaming && from.generatedUnread === 'shutdown') return cutStreamUsage(reported, from, info, note);
    if (vendorCost !== undefined) return { usage: reported, source, vendorCostNano: vendorCost };
    return note === undefined ? { usage: reported, source } : { usage: reported, source, note };
  }
  if (outcome === 'upstream_error' || !reachedProvider) return { usage: null, source: 'not_metered' };
  // An Images answer is base64 images, never read as text. One billed per image (dall-e) is a
  // call without tokens the pricer must not price; a GPT image call's is estimated at its bound.
  if (info.kind === 'images') return imagesWithoutUsage(info, from, seen.observed?.failed !== undefined);
  // A text-to-speech answer of raw audio (never read as text) is estimated from its length on
  // OpenAI's token-billed models (an event stream cut before its usage is, by SpeechStream); any
  // other (tts-1, another vendor's, per character) has no tokens to price, raw or streamed.
  if (info.speech !== undefined && (seen.unreadBytes !== undefined || info.streaming)) {
    if (!isTokenBilledSpeechModel(info.model)) return { usage: emptyUsage(), source: 'reported', note: untokenedSpeechNote(info.model, info.speech.characters), unpriceable: true };
    if (seen.unreadBytes !== undefined) return { ...speechEstimate(info.speech, seen.head ?? new Uint8Array(0), seen.unreadBytes), source: 'estimated' };
  }
  // A speech answer that ended as neither audio nor events (JSON without usage): nothing tells what was billed.
  if (info.kind === 'speech' && outcome === 'ok' && seen.unreadBytes === undefined && seen.frames === 0) return unknown('the speech answer was JSON without usage, neither audio nor an event stream');
  // A file upload's input is the file, never read as text: estimated from its audio when it is
  // audio (RequestInfo.upload.audioTokens), else unknown.
  // The answer's own length of the audio (a transcription's `duration`) beats the upload's.
  const answered = seen.observed?.audioSeconds;
  const audioTokens = answered === undefined ? info.upload?.audioTokens : Math.ceil(answered * AUDIO_TOKENS_PER_SECOND);
  if (info.upload !== undefined && audioTokens === undefined) return unknown('the upload is not audio tokometer can time, and the answer carried no usage');
  // A body we could not parse is "usage unknown" (cost null). A parsed response or
  // stream that never carried usage still consumed tokens: estimate, flagged as such (a JSON
  // answer's output from the text it generated). So does one too large to read (a request can
  // ask for one), at its whole output allowance: as unknown, its reservation was settled at 0.
  if (!seen.bodyParsed && outcome === 'ok' && seen.unread !== true) return unknown(seen.unparsedWhy ?? 'the answer could not be read');
  // An OCR answer without its page count: the most pages the request can be billed for, no tokens.
  const pages = info.documentPages;
  if (pages !== undefined) {
    const usage: Usage = { ...emptyUsage(), documentPages: pages.max, ...(pages.annotated ? { annotatedPages: pages.max } : {}) };
    return { usage, source: 'estimated', note: `usage estimated from the request: ${pages.max} pages, the most it can be billed for` };
  }
  const seconds = answered ?? info.upload?.audioSeconds;
  const sized = audioTokens === undefined ? sizedOutput(from, info, seen) : undefined;
  const usage = estimateUsage(from, info, seen, audioTokens, seconds, sized);
  if (audioTokens === undefined) {
    const note = seen.unread === true ? unreadAnswerNote(seen, usage.outputTokens, sized) : (generatedUnreadNote(from, info.streaming, usage.outputTokens, sized) ?? usagelessAnswerNote(seen, from, usage.outputTokens));
    return note === undefined ? { usage, source: 'estimated' } : { usage, source: 'estimated', note };
  }
  const length = seconds === undefined ? '' : ` (${formatSeconds(seconds)} s of audio)`;
  const whence = answered === undefined ? "the uploaded audio's length" : "the answer's duration";
  const note = `usage estimated from the request: ${audioTokens} audio tokens${length} from ${whence} (${AUDIO_TOKENS_PER_SECOND} per second), the form's text fields at ${BYTES_PER_TOKEN} bytes per token`;
  return { usage, source: 'estimated', note };
}

/** Usage unknown (cost null), with why for the record's `error`: no command shows which answers went unread otherwise. */
function unknown(why: string): RecordedUsage {
  return { usage: null, source: 'unknown', note: `usage unknown: ${why}` };
}

/**
 * An Images call whose answer carried no usage (openai-images.ts usagelessImages). One billed
 * per image (dall-e, a variation) has no tokens to price. A GPT image call ran on the provider
 * (a client that left, an answer too large to read, a timeout mid-body) and is estimated at
 * the reservation's bound, flagged estimated: the prompt at BYTES_PER_TOKEN (a form's text
 * fields, else the body's text), the uploaded images at their held image tokens
 * (RequestInfo.upload.imageTokens), and `maxOutputTokens` × `outputChoices` image output tokens.
 * A stream the provider itself failed with an error event (`failedByProvider`) is not
 * estimated: it is not billed, so it is a known $0 (`not_metered`, cost 0, as an upstream
 * error status is), never usage `unknown` (cost null, which hard budgets warn of).
 */
function imagesWithoutUsage(info: RequestInfo, from: EstimateSource, failedByProvider: boolean): RecordedUsage {
  const { perImage, note } = usagelessImages(info.endpoint, info.model);
  if (perImage) return { usage: emptyUsage(), source: 'reported', note, unpriceable: true };
  // The provider failed the stream with an error event before any image: it stopped, and an error is not billed.
  if (failedByProvider) return { usage: null, source: 'not_metered' };
  const usage = emptyUsage();
  const imageIn = info.upload?.imageTokens ?? 0;
  const text = info.upload === undefined ? from.bodyTokens() : Math.ceil(info.upload.textBytes / BYTES_PER_TOKEN);
  usage.inputTokens = text + imageIn;
  if (imageIn > 0) usage.inputImageTokens = imageIn;
  usage.outputTokens = outputAllowance(from, info);
  if (usage.outputTokens > 0) usage.outputImageTokens = usage.outputTokens;
  return { usage, source: 'estimated', note };
}

/**
 * The note of a call whose answer was relayed unread (BodyObservation.unread): of a type the
 * proxy does not read for usage (an HTML error page a gateway answered 200 with), its output
 * counted at the request's allowance (estimateOutput), or too large to keep a copy of, its
 * output counted from its size (`sized`: answer-bytes.ts) or, for an answer that is not text
 * (embeddings), at the allowance.
 */
function unreadAnswerNote(seen: BodyObservation, outputTokens: number, sized: BytesOutput | undefined): string {
  if (sized !== undefined) return tooLargeNote(sized);
  const type = seen.unreadType === undefined ? 'no content type' : seen.unreadType.split(';')[0]!.trim();
  const answer = seen.unreadBytes === undefined ? 'the answer was too large to read' : `the answer (${type}, ${seen.unreadBytes} bytes) is not one tokometer reads for usage`;
  return `usage estimated from the request: ${answer}, so its output is counted at the request's allowance (${outputTokens} tokens)`;
}

/**
 * How the output of a non-streamed answer whose usage was never read though the relay counted
 * its bytes (BodyObservation.answerBytes) is counted (answer-bytes.ts): one too large to read
 * (`unread`), or one generated whole but cut, or cut by the shutdown (EstimateSource.generatedUnread).
 * A text answer's bytes count; another's (embeddings: vectors, no output tokens) do not, and
 * it stays at the allowance. Undefined for any other call.
 */
function sizedOutput(from: EstimateSource, info: RequestInfo, seen: BodyObservation): BytesOutput | undefined {
  const bytes = seen.answerBytes;
  if (bytes === undefined || (seen.unread !== true && from.generatedUnread === undefined)) return undefined;
  const allowance = outputAllowance(from, info);
  const choices = Math.max(1, info.outputChoices ?? 1);
  if (info.streaming || !WHOLE_ANSWER_KINDS.has(info.kind)) return allowanceOnly(bytes, allowance, choices);
  const windowTokens = info.model === null ? undefined : from.contextWindowTokens(info.model);
  return outputFromBytes(bytes, { allowance, limited: info.maxOutputTokens !== null, windowTokens, choices });
}

/**
 * The note of a JSON answer read whole that carried no usage (BodyObservation.answerChars):
 * its output counted from the text it generated, or at the request's allowance when its
 * adapter cannot say. Undefined for any other estimate, and when the call's own note says why
 * its whole allowance is counted (EstimateSource.wholeAllowance).
 */
function usagelessAnswerNote(seen: BodyObservation, from: EstimateSource, outputTokens: number): string | undefined {
  if (seen.answerChars === undefined || from.wholeAllowance) return undefined;
  if (seen.answerChars === null) return `usage estimated from the request: the answer carried no usage and tokometer cannot count the output it generated, so its output is counted at the request's allowance (${outputTokens} tokens)`;
  return `usage estimated from the answer's text: the answer carried no usage, so its output is counted from the ${seen.answerChars} characters it generated (${CHARS_PER_TOKEN} characters per token: ${outputTokens} tokens), its input from the request`;
}

/** Kinds whose answer is text generated whole before a non-streamed answer's first byte is sent (an image's, a speech's and a transcript's have their own estimates). */
const WHOLE_ANSWER_KINDS: ReadonlySet<RequestInfo['kind']> = new Set(['chat', 'responses', 'completions', 'messages']);

/**
 * True when a failed call's answer, generated but never read (Failure.generated), is counted
 * whole: a non-streamed text answer; a stream of one only when the shutdown cut it (its usage
 * can no longer come, and the provider may bill up to its allowance). Any other stream is
 * metered from what was relayed.
 */
export function generatesWholeAnswer(info: RequestInfo | null, generated: GeneratedUnread): boolean {
  return info !== null && (!info.streaming || generated === 'shutdown') && WHOLE_ANSWER_KINDS.has(info.kind);
}

/** Why a non-streamed answer generated but never read is counted at its allowance (generatedUnreadNote). */
const GENERATED_UNREAD: Readonly<Record<GeneratedUnread, string>> = {
  cut: 'the answer was cut after the provider generated it',
  unanswered: 'no answer came within header_timeout_ms, though the provider most likely generated it',
  shutdown: "the call was cut when the shutdown's grace period ended, though the provider most likely generated its answer",
};

/** Why a stream the shutdown cut is counted at its allowance (generatedUnreadNote). */
const STREAM_CUT_BY_SHUTDOWN = "the stream was cut when the shutdown's grace period ended, before its usage came";

/**
 * The note of an answer generated but never read (EstimateSource.generatedUnread): a
 * non-streamed one cut mid-body (billed in full for certain), not answered within
 * header_timeout_ms or cut at the shutdown's grace end (most likely generated all the same);
 * a stream (`streamed`) cut at the shutdown's grace end. Its output counted at the allowance,
 * or from the bytes relayed before the cut (`sized`: answer-bytes.ts). Undefined for any
 * other call, and when no output is counted.
 */
function generatedUnreadNote(from: EstimateSource, streamed: boolean, outputTokens: number, sized: BytesOutput | undefined): string | undefined {
  if (from.generatedUnread === undefined || outputTokens === 0) return undefined;
  const why = streamed && from.generatedUnread === 'shutdown' ? STREAM_CUT_BY_SHUTDOWN : GENERATED_UNREAD[from.generatedUnread];
  const how = sized === undefined ? `output counted at the request's allowance, ${outputTokens} tokens` : cutOutputPhrase(sized);
  return `${why}: ${how}`;
}

/**
 * A stream the shutdown cut after it reported part of its usage (flagged estimated: an
 * Anthropic message_start's input): that usage, its output at least the request's allowance,
 * as a stream cut before any usage is estimated (estimateOutput). `note`: the accumulator's
 * own, kept when the allowance adds nothing.
 */
function cutStreamUsage(reported: Usage, from: EstimateSource, info: RequestInfo, note: string | undefined): RecordedUsage {
  const allowance = outputAllowance(from, info);
  if (allowance <= reported.outputTokens) return note === undefined ? { usage: reported, source: 'estimated' } : { usage: reported, source: 'estimated', note };
  return { usage: { ...reported, outputTokens: allowance }, source: 'estimated', note: `${STREAM_CUT_BY_SHUTDOWN}: output counted at the request's allowance, ${allowance} tokens` };
}

/** The vendor-reported cost of an Images usage without token counts (openai-images.ts vendorCostOnly), else undefined. */
function vendorCostOfUntokenedImages(usage: Usage): number | undefined {
  return usage.inputTokens === 0 && usage.outputTokens === 0 ? usage.providerCostNano : undefined;
}

/**
 * The most output the request lets the provider bill: its `max_output_tokens` (× answers),
 * else what the budget estimate expects of that key and model, else 0.
 */
function outputAllowance(from: EstimateSource, info: RequestInfo): number {
  const each = info.maxOutputTokens ?? (info.model === null ? undefined : from.expectedOutputTokens(info.model)) ?? 0;
  return each * (info.outputChoices ?? 1);
}

/**
 * A rough usage for a metered call whose usage never arrived; the row is flagged `estimated`.
 * `audioTokens` and `seconds`: an audio upload's, from the answer's duration or the upload;
 * `sized`: the output of a non-streamed answer counted from its bytes (sizedOutput), which wins.
 */
function estimateUsage(from: EstimateSource, info: RequestInfo, seen: BodyObservation, audioTokens: number | undefined, seconds: number | undefined, sized: BytesOutput | undefined): Usage {
  const usage = emptyUsage();
  if (audioTokens !== undefined) {
    // An audio upload: its text fields as the reservation counts them, plus its audio.
    usage.inputTokens = Math.ceil((info.upload?.textBytes ?? 0) / BYTES_PER_TOKEN) + audioTokens;
    usage.inputAudioTokens = audioTokens;
    // Its length too: a model billed by duration (whisper-1) is priced by it, one billed by tokens by the tokens.
    if (seconds !== undefined) usage.audioSeconds = seconds;
  } else usage.inputTokens = from.bodyTokens();
  // A continued conversation is billed again as input (RequestInfo.continues).
  if (info.continues !== undefined) usage.inputTokens += from.contextTokens(info.continues) ?? 0;
  usage.outputTokens = sized?.tokens ?? estimateOutput(from, info, seen, audioTokens !== undefined);
  return usage;
}

/**
 * Output tokens of an estimate: the request's whole allowance when the end was never seen (a
 * background response not followed, a body relayed unread; one whose bytes were counted is
 * sizedOutput's); a JSON answer's from the
 * characters it generated at CHARS_PER_TOKEN (BodyObservation.answerChars), or at the
 * allowance when its adapter cannot say, never 0 for an answer that may have generated
 * output; else (a stream) the frames relayed, or the output its content carried when its
 * accumulator measured more (Observed.carriedOutputTokens: a Gemini chunk, a Claude delta hold
 * several tokens). An audio upload's answer relayed unread (a `text`, `srt` or `vtt`
 * transcript) is its output: its bytes / 4.
 */
function estimateOutput(from: EstimateSource, info: RequestInfo, seen: BodyObservation, audioUpload: boolean): number {
  if (audioUpload && seen.unreadBytes !== undefined && !from.wholeAllowance) return Math.ceil(seen.unreadBytes / BYTES_PER_TOKEN);
  if (seen.answerChars !== undefined && !from.wholeAllowance) return seen.answerChars === null ? outputAllowance(from, info) : estimateTokensOfLength(seen.answerChars);
  const streamed = Math.max(seen.frames, seen.observed?.carriedOutputTokens ?? 0);
  return from.wholeAllowance || seen.unread === true ? Math.max(streamed, outputAllowance(from, info)) : streamed;
}
