import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';

/** What a tool answers: a sentence or two for the model to read, and data matching its output schema. */
export interface ToolAnswer<T> {
  summary: string;
  data: T;
}

/**
 * One LLM tool: schemas, an honest description and annotations, and the call itself. `run`
 * always works on one user's data (the caller's) and throws an AppError whose message says
 * what to do when it cannot answer; the server turns that into an `isError` tool result.
 */
export interface AgentTool<In extends z.ZodObject = z.ZodObject, Out extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: In;
  readonly output: Out;
  readonly annotations: ToolAnnotations;
  // A method, so a tool with a narrower input type is still an AgentTool.
  run(userId: string, input: z.output<In>): Promise<ToolAnswer<z.output<Out>>>;
}

/** Keeps the input and output types of one tool tied together where it is written. */
export function defineTool<In extends z.ZodObject, Out extends z.ZodObject>(
  tool: AgentTool<In, Out>,
): AgentTool<In, Out> {
  return tool;
}
