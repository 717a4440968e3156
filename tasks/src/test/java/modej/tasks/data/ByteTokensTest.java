package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteTokensTest {

    @Test
    void roundTripsMultibyteText() {
        String text = "naïve café — 日本語 🎉 Ω";
        int[] tokens = ByteTokens.encode(List.of(new Document("a", text)));
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, tokens.length);
        for (int token : tokens) {
            assertEquals(token, token & 0xFF);
        }
        assertEquals(text, ByteTokens.decode(tokens, 0, tokens.length));
    }

    @Test
    void documentsAreSeparatedByABlankLine() {
        int[] tokens = ByteTokens.encode(List.of(new Document("a", "ab"), new Document("b", "é"), new Document("c", "c")));
        assertArrayEquals(new int[] {'a', 'b', '\n', '\n', 0xC3, 0xA9, '\n', '\n', 'c'}, tokens);
        assertEquals("ab\n\né\n\nc", ByteTokens.decode(tokens, 0, tokens.length));
        assertEquals(0, ByteTokens.encode(List.of()).length);
    }

    @Test
    void cutThroughACharacterDecodesToReplacement() {
        int[] tokens = ByteTokens.encode(List.of(new Document("a", "x€y")));  // € is 3 bytes
        assertEquals("x\uFFFD", ByteTokens.decode(tokens, 0, 3));
        assertEquals("\uFFFDy", ByteTokens.decode(tokens, 3, 5).replace("\uFFFD\uFFFD", "\uFFFD"));
        assertEquals("", ByteTokens.decode(tokens, 2, 2));
    }

    @Test
    void nonByteTokenIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> ByteTokens.decode(new int[] {65, 300}, 0, 2));
        assertEquals("token 300 at index 1 is not a byte (0..255)", e.getMessage());
    }
}
