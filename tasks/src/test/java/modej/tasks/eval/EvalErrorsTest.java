package modej.tasks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code ./modej eval} gives exit code 2 and one line, naming the problem. */
class EvalErrorsTest {

    @TempDir
    static Path dir;
    static EvalFixture files;

    @BeforeAll
    static void write() throws Exception {
        files = new EvalFixture(dir);
    }

    private static void assertOneLineError(String expected, String... extra) {
        List<String> args = new ArrayList<>(List.of("eval", "--backbone", files.backbone.toString(), "--seq", "16",
                "--validation", "" + EvalFixture.VALIDATION, "--threads", "1"));
        args.addAll(files.dataArgs());
        args.addAll(List.of(extra));
        EvalFixture.Outcome o = EvalFixture.run(args);
        assertEquals(2, o.code(), o.out() + o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().startsWith("modej eval: ") && o.err().contains(expected), o.err());
        assertEquals("", o.out());
    }

    @Test
    void unknownKind() {
        assertOneLineError("unknown KIND 'adapter'; valid: full, lora, mode", "--model", "x=adapter:" + files.lora);
    }

    @Test
    void missingFile() {
        assertOneLineError("no such file " + dir.resolve("nope.safetensors"),
                "--model", "x=lora:" + dir.resolve("nope.safetensors"));
    }

    @Test
    void missingBackbone() {
        EvalFixture.Outcome o = EvalFixture.run(List.of("eval", "--backbone", dir.resolve("none").toString(),
                "--data", "english=" + files.english));
        assertEquals(2, o.code());
        assertEquals("modej eval: --backbone: no such file " + dir.resolve("none"), o.err().strip());
    }

    @Test
    void englishDomainThatDoesNotExist() {
        assertOneLineError("--english klingon: no such domain; have [english, digits]", "--english", "klingon");
    }

    @Test
    void checkpointOfAnotherKind() {
        assertOneLineError("not a LoRA checkpoint", "--model", "x=lora:" + files.mode);
    }

    @Test
    void labelGivenTwiceOrReserved() {
        assertOneLineError("label 'x' given twice", "--model", "x=lora:" + files.lora, "--model", "x=mode:" + files.mode);
        assertOneLineError("'frozen' is reserved", "--model", "frozen=lora:" + files.lora);
    }

    @Test
    void kindWithoutFile() {
        assertOneLineError("KIND mode needs a checkpoint, as x=mode:FILE", "--model", "x=mode");
    }
}
