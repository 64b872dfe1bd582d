#pragma once
#define PINNXDE_VERSION "0.1.0"
