package modej.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class Gpt2TokenizerTest {

    private final Tokenizer gpt2 = Gpt2Tokenizer.INSTANCE;

    /** Ids published with GPT-2's vocabulary (and asserted by tiktoken's own tests for "gpt2"). */
    @Test
    void knownIds() {
        assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
        assertArrayEquals(new int[] {31373, 995}, gpt2.encode("hello world"));
        assertArrayEquals(new int[] {15}, gpt2.encode("0"));
        assertArrayEquals(new int[] {405}, gpt2.encode("00"));
        assertArrayEquals(new int[] {830}, gpt2.encode("000"));
        assertArrayEquals(new int[] {2388}, gpt2.encode("0000"));
        assertArrayEquals(new int[] {10535, 830}, gpt2.encode("000000000"));
        assertArrayEquals(new int[] {628}, gpt2.encode("\n\n"));
        assertArrayEquals(new int[] {464, 262}, gpt2.encode("The the"));
        assertEquals(50257, gpt2.vocabSize());
    }

    /** The special token's text is ordinary text in a corpus, never id 50256. */
    @Test
    void endOfTextInTextIsSpelledOut() {
        int[] ids = gpt2.encode("a<|endoftext|>b");
        for (int id : ids) {
            assertTrue(id != Gpt2Tokenizer.END_OF_TEXT);
        }
        assertEquals("a<|endoftext|>b", gpt2.decode(ids, 0, ids.length));
    }

    @Test
    void roundTripsAnyText() {
        for (String s : List.of("", " ", "héllo wörld — ünïcode ✓ 数学 🙂", "def f(x):\n    return x ** 2\n",
                "Q: 12 + 30 = ?\nA: 42", "\t\r\n  trailing  ")) {
            int[] ids = gpt2.encode(s);
            assertEquals(s, gpt2.decode(ids, 0, ids.length), s);
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, gpt2.textBytes(ids, 0, ids.length), s);
        }
    }

    @Test
    void cutThroughACharacterDecodesToReplacement() {
        int[] ids = gpt2.encode("🙂");          // 4 bytes, more than one token
        assertTrue(ids.length > 1);
        assertTrue(gpt2.decode(ids, 0, 1).contains("\uFFFD"));
    }

    @Test
    void badIdIsAOneLineError() {
        var e = assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {1, 50257}, 0, 2));
        assertEquals("token 50257 at index 1 is not a GPT-2 id (0..50256)", e.getMessage());
    }

    @Test
    void documentsAreJoinedByABlankLine() {
        int[] ids = gpt2.encodeDocuments(List.of("one", "two"));
        assertEquals("one\n\ntwo", gpt2.decode(ids, 0, ids.length));
        int[] bytes = ByteTokenizer.INSTANCE.encodeDocuments(List.of("ab", "é"));
        assertArrayEquals(new int[] {'a', 'b', '\n', '\n', 0xC3, 0xA9}, bytes);
    }

    @Test
    void byNameAndMetadata() {
        assertSame(Gpt2Tokenizer.INSTANCE, Tokenizers.byName("gpt2"));
        assertSame(Gpt2Tokenizer.INSTANCE, Tokenizers.byName("r50k_base"));
        assertSame(ByteTokenizer.INSTANCE, Tokenizers.of(Map.of()));      // old checkpoints: bytes
        assertSame(Gpt2Tokenizer.INSTANCE, Tokenizers.of(Map.of(Tokenizers.METADATA_KEY, "gpt2")));
        var e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.byName("sentencepiece"));
        assertTrue(e.getMessage().startsWith("unknown tokenizer 'sentencepiece'"));
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.checkVocab(Gpt2Tokenizer.INSTANCE, 256));
        assertSame(Gpt2Tokenizer.INSTANCE, Tokenizers.checkVocab(Gpt2Tokenizer.INSTANCE, 50304));
    }
}
