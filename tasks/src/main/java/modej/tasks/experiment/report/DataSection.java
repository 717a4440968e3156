package modej.tasks.experiment.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import modej.tasks.data.CorpusText;
import modej.tasks.data.HeldOutSplit;
import modej.tasks.data.Overlap;
import modej.tasks.experiment.DataFacts;

/**
 * The report's Data section: how every source was split, each domain's corpus and token counts,
 * the overlap of each domain's evaluation part with every training stream (which must be 0), where
 * built-in corpora came from, and what the backbone was pretrained on.
 */
final class DataSection {

    private final StringBuilder md = new StringBuilder();

    private DataSection() {
    }

    static String of(DataFacts data) {
        DataSection s = new DataSection();
        s.line("## Data").line("");
        s.line(s.splitRule(data)).line("");
        List<String> h = List.of("domain", "source", "test", "weight", "documents", "train tokens", "evaluated-part tokens",
                "fingerprint", "skipped");
        s.row(h);
        s.separator(h.size());
        data.domains().forEach((name, d) -> s.row(List.of(name, d.source() == null ? "(test only)" : "`" + d.source() + "`",
                d.test() == null ? "—" : f("`%s` (%,d documents)", d.test(), d.testDocuments()), plain(d.weight()),
                f("%,d", d.documents()), f("%,d", d.trainTokens()), f("%,d", d.validationTokens()), d.fingerprint(),
                CorpusText.skippedSummary(d.skipped()))));
        s.line("");
        s.overlaps(data);
        List<String> origins = new ArrayList<>();
        data.domains().forEach((name, d) -> d.builtIn().forEach(p -> origins.add(f("- %s: `%s` (%s), SHA-256 of its documents "
                + "`%s`", name, p.coordinates(), p.location().equals("generated") ? "generated" : "read by Maven", p.sha256()))));
        if (!origins.isEmpty()) {
            s.line("Built-in corpora, by Maven coordinates or generator:").line("");
            origins.forEach(s::line);
            s.line("");
        }
        if (!data.backbone().isEmpty()) {
            s.line("Backbone pretraining corpus (from its checkpoint): " + String.join("; ", data.backbone().entrySet().stream()
                    .map(e -> (e.getKey().equals("modej.corpus") ? "corpus" : e.getKey().substring("modej.corpus.".length()))
                            + " " + e.getValue())
                    .toList()) + ".").line("");
        }
        return s.md.toString();
    }

    private String splitRule(DataFacts data) {
        String rule = "Each domain's source is cut into chunks and split by content hash into training and held-out tokens";
        if (data.split() != null) {
            HeldOutSplit split = HeldOutSplit.parse(data.split());
            rule = f("Each domain's source is cut into chunks of at most %,d characters; a chunk is held out (evaluated) "
                    + "when the first 53 bits of SHA-256 of its text, read as a number in [0, 1), are at least %s, i.e. "
                    + "%s of the chunks (the backbone's pretraining uses the same rule, and a domain never holds out more "
                    + "than the backbone did, so a held-out chunk is never one the backbone trained on)",
                    split.chunkChars(), plain(1 - split.fraction()), plain(split.fraction()));
        }
        return rule + ". A test source is evaluated whole instead of the held-out part, and never trained on. The "
                + "fingerprint is the first 16 hex digits of SHA-256 over the training and evaluation token streams. "
                + "Skipped: items read but left out, by reason. Every number here is in data.json.";
    }

    /** Per domain, per training stream: evaluated chunks that stream also holds. */
    private void overlaps(DataFacts data) {
        Set<String> streams = new LinkedHashSet<>();
        data.domains().values().forEach(d -> {
            if (d.overlap() != null) {
                streams.addAll(d.overlap().keySet());
            }
        });
        line("Overlap of each domain's evaluated text with every training stream the models saw (the backbone's "
                + "pretraining part, and the training part of each domain that trains): evaluated chunks whose text is "
                + "identical to a trained chunk, and their tokens. Checked before any training; anything but 0 is an "
                + "error unless the domain sets `allowOverlap: true`.").line("");
        if (data.unchecked() != null) {
            line("**Warning:** the overlap with the backbone's pretraining was not checked: " + data.unchecked() + ".")
                    .line("");
        }
        if (streams.isEmpty()) {
            return;
        }
        List<String> h = new ArrayList<>(List.of("evaluated domain"));
        streams.forEach(st -> h.add(st.equals("backbone") ? "backbone pretraining" : st + " (train part)"));
        row(h);
        separator(h.size());
        data.domains().forEach((name, d) -> {
            List<String> cells = new ArrayList<>(List.of(name));
            for (String st : streams) {
                Overlap o = d.overlap() == null ? null : d.overlap().get(st);
                cells.add(o == null ? "n/a" : f("%,d chunks, %,d tokens%s", o.chunks(), o.tokens(),
                        o.any() ? " (allowed)" : ""));
            }
            row(cells);
        });
        line("");
    }

    /** E.g. 0, 1, 0.25: no trailing zeros. */
    private static String plain(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

    private void row(List<String> cells) {
        line("| " + String.join(" | ", cells) + " |");
    }

    private void separator(int columns) {
        line("|" + "---|".repeat(columns));
    }

    private DataSection line(String text) {
        md.append(text).append('\n');
        return this;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
