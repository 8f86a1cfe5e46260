// Configs as the seed notebooks show them (their own text, not data files).

/** Seed 000 (ATLAS Open Data H->ZZ*): config.yml, as printed by the notebook (Samples and
 *  Systematics cells) with the General / Regions / NormFactors of the workshop's config. */
export const HZZ_CONFIG_YAML = `
General:
  Measurement: "CabinetryHZZAnalysis"
  POI: "Signal_norm"
  HistogramFolder: "histograms/"
  InputPath: "histograms.root:{SamplePath}{VariationPath}"
  VariationPath: ""

Regions:
  - Name: "Signal_region"

Samples:
  - Name: "Data"
    SamplePath: "data"
    Data: True

  - Name: "Signal"
    SamplePath: "signal"

  - Name: "Background ZZ*"
    SamplePath: "ZZ"

  - Name: "Background Z, ttbar"
    SamplePath: "Z_tt"

Systematics:
  - Name: "Scalefactor_variation"
    Type: "NormPlusShape"
    Up:
      VariationPath: "_SF_up"
    Down:
      VariationPath: "_SF_down"

  - Name: "m4l_variation"
    Type: "NormPlusShape"
    Up:
      VariationPath: "_m4l_up"
    Down:
      VariationPath: "_m4l_down"

  - Name: "ZZ_norm"
    Type: "Normalization"
    Up:
      Normalization: 0.1
    Down:
      Normalization: -0.1
    Samples: "Background ZZ*"

NormFactors:
  - Name: "Signal_norm"
    Samples: "Signal"
    Nominal: 1.0
    Bounds: [0, 10]
`;

/** Seed 003 (statistics tutorial): the config sections it prints. */
export const TUTORIAL_CONFIG_YAML = `
General:
  Measurement: "CMS_ttbar"
  POI: "ttbar_norm"
  HistogramFolder: "histograms/"
  InputPath: "histograms.root:{RegionPath}_{SamplePath}{VariationPath}"
  VariationPath: ""
Regions:
  - Name: "4j1b CR"
    RegionPath: "4j1b"
  - Name: "4j2b SR"
    RegionPath: "4j2b"
Samples:
  - Name: "Pseudodata"
    SamplePath: "pseudodata"
    Data: True
  - Name: "ttbar"
    SamplePath: "ttbar"
  - Name: "W+jets"
    SamplePath: "wjets"
  - Name: "single top, t-channel"
    SamplePath: "single_top_t_chan"
  - Name: "single atop, t-channel"
    SamplePath: "single_atop_t_chan"
  - Name: "tW"
    SamplePath: "single_top_tW"
Systematics:
  - Name: "ME variation"
    Type: "NormPlusShape"
    Up:
      VariationPath: "_ME_var"
    Down:
      Symmetrize: True
    Samples: "ttbar"
  - Name: "PS variation"
    Type: "NormPlusShape"
    Up:
      VariationPath: "_PS_var"
    Down:
      Symmetrize: True
    Samples: "ttbar"
NormFactors:
  - Name: "ttbar_norm"
    Samples: "ttbar"
    Nominal: 1.0
    Bounds: [0, 10]
`;

/** Seed 001 (AGC v1) uses ../shared/data/agc/cabinetry_config.yml itself. */
export const AGC_CONFIG_PATH = new URL('../../shared/data/agc/cabinetry_config.yml', import.meta.url).pathname;
export const AGC_REFERENCE_HISTOS = new URL('../../shared/data/agc/reference/histos_1_file_per_process.json', import.meta.url).pathname;
