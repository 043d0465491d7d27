/** Statements per block: blocks are never copied when the index grows. */
const blockSize = 1 << 16;

/**
 * Where each statement of a task file is, without keeping its text: offset and length in the
 * decoded text and the line it starts on. 16 bytes a statement, so a file of 440k statements
 * costs 7 MB instead of its whole text.
 */
export class StatementIndex {
  private readonly offsets: Float64Array[] = [];
  private readonly lengths: Uint32Array[] = [];
  private readonly lines: Uint32Array[] = [];
  private size = 0;

  get count(): number {
    return this.size;
  }

  push(offset: number, length: number, line: number): void {
    const slot = this.size % blockSize;
    if (slot === 0) {
      this.offsets.push(new Float64Array(blockSize));
      this.lengths.push(new Uint32Array(blockSize));
      this.lines.push(new Uint32Array(blockSize));
    }
    const block = this.offsets.length - 1;
    (this.offsets[block] as Float64Array)[slot] = offset;
    (this.lengths[block] as Uint32Array)[slot] = length;
    (this.lines[block] as Uint32Array)[slot] = line;
    this.size++;
  }

  offset(i: number): number {
    return this.offsets[Math.floor(i / blockSize)]?.[i % blockSize] ?? 0;
  }

  length(i: number): number {
    return this.lengths[Math.floor(i / blockSize)]?.[i % blockSize] ?? 0;
  }

  line(i: number): number {
    return this.lines[Math.floor(i / blockSize)]?.[i % blockSize] ?? 0;
  }
}
