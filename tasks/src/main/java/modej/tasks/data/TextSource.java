package modej.tasks.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads text corpora from disk: a file, a folder, or a glob, one {@link Document} per file.
 *
 * <p>Files are decoded strictly as UTF-8 (a leading byte order mark is dropped). Folders and globs
 * skip hidden files and folders (names starting with '.') and empty files, follow symbolic links,
 * and list files sorted by path, so the same spec always gives the same documents in the same order.
 */
public final class TextSource {

    private TextSource() {
    }

    /**
     * Reads the documents named by {@code spec}.
     *
     * @param spec a file ({@code data/book.txt}), a folder ({@code data}) or a glob
     *             ({@code data/*.txt}, {@code corpus/**}{@code /*.md}; {@code **}{@code /} also
     *             matches no folder at all, as in shells)
     * @return one document per non-empty file, sorted by path
     * @throws IllegalArgumentException "no such file: X", "no files match X", "corpus X is empty",
     *                                  or "X: invalid UTF-8 at byte N (line L)"
     */
    public static List<Document> read(String spec) {
        return readCounted(spec).documents();
    }

    /** As {@link #read(String)}, also counting the empty files skipped (reason {@code empty files}). */
    public static CorpusText readCounted(String spec) {
        List<Path> files = isGlob(spec) ? globFiles(spec) : namedFiles(spec);
        List<Document> docs = new ArrayList<>(files.size());
        int empty = 0;
        for (Path file : files) {
            String text = decode(file);
            if (text.isEmpty()) {
                empty++;
            } else {
                docs.add(new Document(file.toString(), text));
            }
        }
        Map<String, Integer> skipped = empty == 0 ? Map.of() : Map.of("empty files", empty);
        return new CorpusText(docs, skipped, List.of()).requireDocuments(spec);
    }

    private static boolean isGlob(String spec) {
        return spec.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** The file itself, or every regular file below the folder. */
    private static List<Path> namedFiles(String spec) {
        Path path = Path.of(spec);
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("no such file: " + spec);
        }
        return walk(path, file -> true);
    }

    /** Files below the glob's fixed leading folders whose remaining path matches the glob. */
    private static List<Path> globFiles(String spec) {
        String[] parts = spec.split("/", -1);
        int fixed = 0;
        while (fixed < parts.length - 1 && !isGlob(parts[fixed])) {
            fixed++;
        }
        String prefix = String.join("/", List.of(parts).subList(0, fixed));
        Path base = fixed == 0 ? Path.of(".") : Path.of(prefix.isEmpty() ? "/" : prefix);
        String pattern = String.join("/", List.of(parts).subList(fixed, parts.length));
        List<PathMatcher> matchers = new ArrayList<>();
        for (String variant : withOptionalDoubleStars(pattern)) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + variant));
        }
        List<Path> files = Files.isDirectory(base)
                ? walk(base, file -> matchers.stream().anyMatch(m -> m.matches(base.relativize(file))))
                : List.of();
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no files match " + spec);
        }
        if (fixed == 0) {
            return files.stream().map(base::relativize).toList();
        }
        return files;
    }

    /** The pattern, plus every variant with some of its {@code **}{@code /} removed. */
    private static Set<String> withOptionalDoubleStars(String pattern) {
        Set<String> variants = new LinkedHashSet<>();
        variants.add(pattern);
        int at = pattern.indexOf("**/");
        while (at >= 0) {
            String dropped = pattern.substring(0, at) + pattern.substring(at + 3);
            variants.addAll(withOptionalDoubleStars(dropped));
            at = pattern.indexOf("**/", at + 1);
        }
        return variants;
    }

    /** Sorted regular files below {@code root} that {@code keep} accepts, skipping hidden names. */
    private static List<Path> walk(Path root, Predicate<Path> keep) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            return !dir.equals(root) && isHidden(dir)
                                    ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && !isHidden(file) && keep.test(file)) {
                                files.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        files.sort(null);
        return files;
    }

    private static boolean isHidden(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    /** The file's text, failing with the file and byte offset of the first byte that is not UTF-8. */
    static String decode(Path file) {
        try {
            return decode(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The bytes as UTF-8, failing with {@code name} and the offset of the first byte that is not UTF-8. */
    static String decode(byte[] bytes, String name) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            throw new IllegalArgumentException(name + ": invalid UTF-8 at byte " + offset
                    + " (line " + lineAt(bytes, offset) + ")");
        }
        out.flip();
        if (out.hasRemaining() && out.charAt(0) == '\uFEFF') {
            out.position(1);
        }
        return out.toString();
    }

    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
