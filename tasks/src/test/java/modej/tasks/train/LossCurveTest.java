package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class LossCurveTest {

    @Test
    void meansOverWindowsWithAShorterLastOne() {
        LossCurve c = new LossCurve(7, 3);
        for (int step = 1; step <= 7; step++) {
            c.afterStep(step, step);
        }
        assertEquals(List.of(new LossCurve.Point(3, 2.0), new LossCurve.Point(6, 5.0), new LossCurve.Point(7, 7.0)),
                c.points());
    }

    @Test
    void everyStepIsAPointWhenEveryIsOne() {
        LossCurve c = new LossCurve(2, 1);
        c.afterStep(1, 0.5);
        c.afterStep(2, 0.25);
        assertEquals(List.of(new LossCurve.Point(1, 0.5), new LossCurve.Point(2, 0.25)), c.points());
    }
}
