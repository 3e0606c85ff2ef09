import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { writeLinesDurably } from '@mlm/durable-write';
import type { SudokuPuzzle } from './sudoku-generator.js';

const HEADER = 'quizzes,solutions';
const GRID = /^[0-9]{81}$/;

/**
 * Writes puzzles as the reference's CSV (`quizzes,solutions` header, one puzzle per line, 81-char
 * digit strings, 0 = blank). Written durably (`@mlm/durable-write`), so a reader never sees half a file.
 */
export async function writeSudokuCsv(filePath: string, puzzles: Iterable<SudokuPuzzle> | AsyncIterable<SudokuPuzzle>): Promise<number> {
  let count = 0;
  await writeLinesDurably(
    filePath,
    (async function* () {
      yield `${HEADER}\n`;
      for await (const puzzle of puzzles) {
        if (!GRID.test(puzzle.quiz) || !GRID.test(puzzle.solution)) {
          throw new Error(`writeSudokuCsv(${filePath}): puzzle ${count} is not two 81-digit strings`);
        }
        yield `${puzzle.quiz},${puzzle.solution}\n`;
        count += 1;
      }
    })(),
  );
  return count;
}

/**
 * Reads a sudoku CSV line by line (streamed). Accepts the reference layout (header `quizzes,solutions`,
 * also the Kaggle file) and `.` for blanks; a malformed line is an error naming the file and line.
 */
export async function* readSudokuCsv(filePath: string): AsyncGenerator<SudokuPuzzle> {
  const input = createReadStream(filePath, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let quizColumn = 0;
  let solutionColumn = 1;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim().length === 0) continue;
      const fields = line.trim().split(',');
      if (lineNumber === 1) {
        quizColumn = fields.indexOf('quizzes');
        solutionColumn = fields.indexOf('solutions');
        if (quizColumn < 0 || solutionColumn < 0) {
          throw new Error(`${filePath}:1: expected a header with columns "quizzes" and "solutions", got ${JSON.stringify(line)}`);
        }
        continue;
      }
      const quiz = fields[quizColumn]?.replaceAll('.', '0');
      const solution = fields[solutionColumn];
      if (quiz === undefined || solution === undefined || !GRID.test(quiz) || !GRID.test(solution)) {
        throw new Error(`${filePath}:${lineNumber}: expected two 81-digit strings (quiz, solution), got ${JSON.stringify(line.slice(0, 200))}`);
      }
      yield { quiz, solution };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
