package modej.model.mode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.checkpoint.SlabFiles;
import modej.model.gpt.GptParams;
import modej.model.param.Slab;

/**
 * A sequence-gate checkpoint says its gate is the causal prefix mean; one saved before (the gate
 * averaged the whole sequence, so it was trained seeing later tokens) is refused, not silently
 * evaluated with another gate than it was trained with.
 */
class SequenceGateCheckpointTest {

    static final ModeConfig SEQUENCE = new ModeConfig(2, 1, List.of("a", "b"), new GateConfig(1, 1f, true, 0f), "random");

    @Test
    void aSequenceGateCheckpointRoundTrips(@TempDir Path dir) {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(1);
        ModeParams m = new ModeParams(backbone, SEQUENCE, 2);
        Path file = dir.resolve("seq.safetensors");
        ModeCheckpoint.save(file, m, Map.of(), false);
        ModeParams loaded = ModeCheckpoint.load(file, backbone, false);
        assertEquals(SEQUENCE, loaded.config());
        assertArrayEquals(m.gate().params().data(), loaded.gate().params().data());
    }

    @Test
    void aSequenceGateCheckpointFromBeforeTheCausalGateIsRefused(@TempDir Path dir) throws Exception {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(1);
        ModeParams m = new ModeParams(backbone, SEQUENCE, 2);
        Path file = dir.resolve("old.safetensors");
        // what ModeCheckpoint.save wrote before: no sequence-gate key
        Map<String, String> meta = new LinkedHashMap<>(GptCheckpoint.withConfig(Map.of(), backbone.config()));
        meta.put(ModeCheckpoint.MODE_KEY, new ObjectMapper().writeValueAsString(SEQUENCE));
        meta.put(ModeCheckpoint.BACKBONE_KEY, ModeCheckpoint.fingerprint(backbone));
        List<Slab> slabs = new java.util.ArrayList<>(m.experts());
        slabs.add(m.gate());
        SlabFiles.save(file, slabs, meta, false);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModeCheckpoint.load(file, backbone, false));
        assertTrue(e.getMessage().contains("sequence gate from before it was made causal"), e.getMessage());
        // its experts alone can still be composed (with a fresh gate)
        assertEquals("a", ModeCheckpoint.loadExpert(file, "a", backbone).name());
    }
}
