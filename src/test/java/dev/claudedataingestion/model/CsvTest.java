package dev.claudedataingestion.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CsvTest {

    @Test
    void aNullAndAnEmptyStringStayApartAndOnlyWhatNeedsItIsQuoted() {
        assertThat(Csv.line(Arrays.asList("plain", null, "", "a,b", "say \"hi\"", "two\nlines")))
                .isEqualTo("plain,,\"\",\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }
}
