package modej.tasks.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a zip or jar archive, one {@link Document} per file entry: {@code zip:PATH?ext=.java}.
 *
 * <p>{@code ext} keeps only entries whose names end with one of its comma-separated suffixes
 * (e.g. {@code ext=.java,.kt}); without it every file entry is read. Entries are read in order of
 * name, decoded strictly as UTF-8 (a leading byte order mark is dropped) and named
 * {@code PATH!ENTRY}. Entries with another suffix and empty entries are skipped and counted;
 * an entry that is not UTF-8 fails with "PATH!ENTRY: invalid UTF-8 at byte N (line L)".
 */
public final class ZipSource {

    private ZipSource() {
    }

    /**
     * Reads {@code zip:PATH?ext=...}.
     *
     * @throws IllegalArgumentException "no such file: PATH", "PATH: not a zip archive: ...", an
     *                                  invalid entry, or an empty corpus
     */
    public static CorpusText read(SourceSpec spec) {
        spec.allowOnly(Set.of("ext"));
        String ext = spec.get("ext", "");
        List<String> suffixes = ext.isEmpty() ? List.of() : List.of(ext.split(",", -1));
        if (suffixes.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("corpus spec " + spec.text() + ": ext needs suffixes like .java,.kt");
        }
        Path archive = Path.of(spec.path());
        if (!Files.isRegularFile(archive)) {
            throw new IllegalArgumentException("no such file: " + spec.path());
        }
        return entries(archive, spec.path(), suffixes).requireDocuments(spec.text());
    }

    /**
     * The archive's file entries ending with one of {@code suffixes} (all when empty), sorted by
     * name and named {@code LABEL!ENTRY}; may be empty.
     */
    public static CorpusText entries(Path archive, String label, List<String> suffixes) {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            List<ZipEntry> entries = new ArrayList<>(zip.stream().filter(e -> !e.isDirectory()).toList());
            entries.sort(Comparator.comparing(ZipEntry::getName));
            List<Document> docs = new ArrayList<>();
            Map<String, Integer> skipped = new LinkedHashMap<>();
            for (ZipEntry entry : entries) {
                if (!suffixes.isEmpty() && suffixes.stream().noneMatch(entry.getName()::endsWith)) {
                    skipped.merge("entries not ending in " + String.join(" or ", suffixes), 1, Integer::sum);
                    continue;
                }
                String name = label + "!" + entry.getName();
                String text = readEntry(zip, entry, name);
                if (text.isEmpty()) {
                    skipped.merge("empty entries", 1, Integer::sum);
                } else {
                    docs.add(new Document(name, text));
                }
            }
            return new CorpusText(docs, skipped, List.of());
        } catch (ZipException e) {
            throw new IllegalArgumentException(archive + ": not a zip archive: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + archive + ": " + e.getMessage(), e);
        }
    }

    private static String readEntry(ZipFile zip, ZipEntry entry, String name) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return TextSource.decode(in.readAllBytes(), name);
        } catch (ZipException e) {
            throw new IllegalArgumentException(name + ": corrupt entry: " + e.getMessage());
        }
    }
}
