package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SourceSpecTest {

    @Test
    void kindPathAndUnescapedParameters() {
        SourceSpec spec = SourceSpec.parse("jsonl:data/train.jsonl?template={question}\\n{answer}\\tA\\&B\\\\", true);
        assertEquals("jsonl", spec.kind());
        assertEquals("data/train.jsonl", spec.path());
        assertEquals(Map.of("template", "{question}\n{answer}\tA&B\\"), spec.parameters());
    }

    @Test
    void builtInNameAndSeveralParameters() {
        SourceSpec spec = SourceSpec.parse("math?count=20000&seed=0", false);
        assertEquals("math", spec.kind());
        assertEquals("", spec.path());
        assertEquals(List.of("count", "seed"), List.copyOf(spec.parameters().keySet()));
        assertEquals(20_000, spec.getCount("count", 1));
        assertEquals(5, spec.getCount("other", 5));
        assertEquals(Map.of(), SourceSpec.parse("code", false).parameters());
    }

    @Test
    void mistakesNameTheSpec() {
        assertEquals("corpus spec jsonl:?x=1: expected KIND:PATH?KEY=VALUE&...",
                error(() -> SourceSpec.parse("jsonl:?x=1", true)));
        assertEquals("corpus spec zip:a.jar?ext: parameter 'ext' is not KEY=VALUE",
                error(() -> SourceSpec.parse("zip:a.jar?ext", true)));
        assertEquals("corpus spec math?seed=1&seed=2: parameter 'seed' given twice",
                error(() -> SourceSpec.parse("math?seed=1&seed=2", false)));
        assertEquals("corpus spec jsonl:a?template=\\q: unknown escape '\\q'; use \\n, \\t, \\& or \\\\",
                error(() -> SourceSpec.parse("jsonl:a?template=\\q", true)));
        assertEquals("corpus spec math?seeds=1: unknown parameter 'seeds'; known: [count, seed]",
                error(() -> SourceSpec.parse("math?seeds=1", false).allowOnly(Set.of("seed", "count"))));
        assertEquals("corpus spec code?x=1: unknown parameter 'x', it takes none",
                error(() -> SourceSpec.parse("code?x=1", false).allowOnly(Set.of())));
        assertEquals("corpus spec math?count=-3: count must be a whole number >= 0, got '-3'",
                error(() -> SourceSpec.parse("math?count=-3", false).getCount("count", 0)));
    }

    private static String error(Runnable run) {
        return assertThrows(IllegalArgumentException.class, run::run).getMessage();
    }
}
