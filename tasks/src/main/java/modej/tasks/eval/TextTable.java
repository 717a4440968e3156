package modej.tasks.eval;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: columns as wide as their widest cell, the first left-aligned, the rest right-aligned. */
final class TextTable {

    private final List<String[]> rows = new ArrayList<>();

    /** Creates a table whose first row is {@code header}. */
    TextTable(List<String> header) {
        rows.add(header.toArray(String[]::new));
    }

    /** Adds a row of as many cells as the header has. */
    TextTable row(List<String> cells) {
        if (cells.size() != rows.get(0).length) {
            throw new IllegalArgumentException("row of " + cells.size() + " cells in a table of " + rows.get(0).length + " columns");
        }
        rows.add(cells.toArray(String[]::new));
        return this;
    }

    /** Prints every row, indented by {@code indent} spaces, columns two spaces apart. */
    void print(PrintStream out, int indent) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(" ".repeat(indent));
            for (int c = 0; c < r.length; c++) {
                String pad = " ".repeat(width[c] - r[c].length());
                line.append(c == 0 ? r[c] + pad : "  " + pad + r[c]);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
