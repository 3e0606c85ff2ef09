import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { writeLinesAtomically } from './atomic-lines-file.js';
import { sudokuBoard, type SudokuBoard } from './sudoku-board.js';
import type { SudokuPuzzle } from './sudoku-generator.js';

const HEADER = 'quizzes,solutions';
const gridPattern = (board: SudokuBoard) => new RegExp(`^[0-${board.size}]{${board.numCells}}$`);

/**
 * Writes puzzles as the reference's CSV (`quizzes,solutions` header, one puzzle per line, n²-char
 * digit strings, 0 = blank; 9×9 unless `board` says otherwise). Written to a temporary file and
 * renamed, so a reader never sees half a file.
 */
export async function writeSudokuCsv(
  filePath: string,
  puzzles: Iterable<SudokuPuzzle> | AsyncIterable<SudokuPuzzle>,
  board: SudokuBoard = sudokuBoard('9x9'),
): Promise<number> {
  const GRID = gridPattern(board);
  let count = 0;
  await writeLinesAtomically(
    filePath,
    (async function* () {
      yield `${HEADER}\n`;
      for await (const puzzle of puzzles) {
        if (!GRID.test(puzzle.quiz) || !GRID.test(puzzle.solution)) {
          throw new Error(`writeSudokuCsv(${filePath}): puzzle ${count} is not two ${board.numCells}-digit strings (${board.name} board)`);
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
 * Grids are 9×9 unless `board` says otherwise.
 */
export async function* readSudokuCsv(filePath: string, board: SudokuBoard = sudokuBoard('9x9')): AsyncGenerator<SudokuPuzzle> {
  const GRID = gridPattern(board);
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
        throw new Error(`${filePath}:${lineNumber}: expected two ${board.numCells}-digit strings (quiz, solution) of a ${board.name} board, got ${JSON.stringify(line.slice(0, 200))}`);
      }
      yield { quiz, solution };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
